"""send_to_providers: claim, render, hand over, record; what happens when the provider fails; test keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import MagicMock

import pytest
import requests
import responses
from flask import Flask
from freezegun import freeze_time

from app.clients.registry import ProviderClients
from app.clients.statsd_client import StatsdClient
from app.clock import utc_now
from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.provider_details_dao import dao_get_provider_details_by_identifier, dao_update_provider_details
from app.dao.services_dao import dao_get_service_by_id, dao_update_service
from app.delivery.errors import DeliveryRetryableError, NotificationTechnicalFailureException
from app.delivery.provider_priorities import error_rate_key
from app.delivery.send_to_providers import send_email_to_provider, send_sms_to_provider
from app.extensions import db
from app.models import Notification
from app.notification_status import NotificationStatus
from app.receipts.sms_receipts import process_mmg_receipt
from app.recent_event_counts import EventKind, list_recent_event_counts
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_notification, create_template

S = NotificationStatus
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def providers(notify_api: Flask, provider_clients: ProviderClients) -> Iterator[responses.RequestsMock]:
    """MMG and Firetext over HTTP; a request to anything else fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.POST, notify_api.config["MMG_URL"], json={"Reference": 12345678})
        mock.add(
            responses.POST,
            notify_api.config["FIRETEXT_URL"],
            json={"code": 0, "description": "SMS successfully queued", "data": []},
        )
        yield mock


def _only(provider: str) -> None:
    """Give ``provider`` all the SMS weight (changed long enough ago not to block error bursts)."""
    with freeze_time(utc_now().replace(year=2020)):
        for identifier in ("mmg", "firetext"):
            dao_update_provider_details(
                dao_get_provider_details_by_identifier(identifier),
                reason="test",
                priority=100 if identifier == provider else 0,
            )


def _fail(mock: responses.RequestsMock, url: str, status: int = 503) -> None:
    """Make ``url`` refuse every send with ``status`` (503: certainly not taken, so the retry may fail over at once)."""
    mock.replace(responses.POST, url, json={"error": "unavailable"}, status=status)


def _reload(notification_id: uuid.UUID) -> Notification:
    db.session.remove()
    return dao_get_notification_by_id(notification_id)


def _calls_to(mock: responses.RequestsMock, url: str) -> int:
    return sum(1 for call in mock.calls if call.request.url == url)


def test_an_sms_is_handed_to_the_provider_and_recorded(
    notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    notification_id = create_notification(template=create_template(content="x" * 200)).id

    status = send_sms_to_provider(notification_id)

    row = _reload(notification_id)
    assert (status, row.status, row.sent_by, row.billable_units) == (S.SENDING, S.SENDING, "mmg", 2)
    assert (row.sent_at is not None, len(providers.calls)) == (True, 1)


def test_the_database_session_is_closed_before_the_provider_is_called(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("firetext")
    notification_id = create_notification().id
    session_open_during_call = []

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        session_open_during_call.append(db.session.registry.has())
        return 200, {}, '{"code": 0, "description": "SMS successfully queued", "data": []}'

    providers.remove(responses.POST, notify_api.config["FIRETEXT_URL"])
    providers.add_callback(responses.POST, notify_api.config["FIRETEXT_URL"], callback=answer)

    send_sms_to_provider(notification_id)

    assert session_open_during_call == [False]


def test_provider_and_billable_units_are_set_even_when_the_provider_fails(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    _fail(providers, notify_api.config["MMG_URL"])
    notification_id = create_notification(template=create_template(content="x" * 200)).id

    with pytest.raises(DeliveryRetryableError) as raised:
        send_sms_to_provider(notification_id)

    row = _reload(notification_id)
    assert (raised.value.failed_provider, row.status, row.sent_by, row.billable_units) == ("mmg", S.CREATED, "mmg", 2)


def test_the_retry_after_a_provider_error_goes_to_the_other_provider(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    _fail(providers, notify_api.config["MMG_URL"])
    notification_id = create_notification().id
    with pytest.raises(DeliveryRetryableError) as raised:
        send_sms_to_provider(notification_id)

    status = send_sms_to_provider(notification_id, excluded_provider=raised.value.failed_provider)

    assert (status, _reload(notification_id).sent_by) == (S.SENDING, "firetext")
    assert _calls_to(providers, notify_api.config["FIRETEXT_URL"]) == 1


def test_a_provider_error_counts_toward_its_error_burst(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    _fail(providers, notify_api.config["MMG_URL"])

    with pytest.raises(DeliveryRetryableError):
        send_sms_to_provider(create_notification().id)

    assert notify_api.extensions["redis"].zcard(error_rate_key("mmg")) == 1


def test_a_provider_error_is_counted_for_the_operator_console(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    _fail(providers, notify_api.config["MMG_URL"])

    with pytest.raises(DeliveryRetryableError):
        send_sms_to_provider(create_notification().id)

    assert sum(list_recent_event_counts(EventKind.PROVIDER_ERROR, "mmg", minutes=2) or []) == 1


def test_sending_twice_calls_the_provider_once(notify_db_session: None, providers: responses.RequestsMock) -> None:
    notification_id = create_notification().id
    send_sms_to_provider(notification_id)

    status = send_sms_to_provider(notification_id)

    assert (status, len(providers.calls)) == (S.SENDING, 1)


@pytest.mark.parametrize("status", [S.SENDING, S.DELIVERED, S.TECHNICAL_FAILURE], ids=str)
def test_a_notification_that_is_not_created_is_left_alone(
    notify_db_session: None, providers: responses.RequestsMock, status: S
) -> None:
    notification_id = create_notification(status=status, sent_at=utc_now()).id

    result = send_sms_to_provider(notification_id)

    assert (result, len(providers.calls)) == (status, 0)


def test_international_sms_to_a_network_without_receipts_is_sent(
    notify_db_session: None, providers: responses.RequestsMock, send_task: MagicMock
) -> None:
    notification_id = create_notification(to="+1 202 555 0123", international=True).id

    status = send_sms_to_provider(notification_id)

    assert (status, _reload(notification_id).sent_by) == (S.SENT, "mmg")


def test_a_notification_of_an_inactive_service_is_a_technical_failure(
    notify_db_session: None, providers: responses.RequestsMock
) -> None:
    notification = create_notification()
    notification_id, service_id = notification.id, notification.service_id
    dao_update_service(dao_get_service_by_id(service_id), active=False)

    with pytest.raises(NotificationTechnicalFailureException) as raised:
        send_sms_to_provider(notification_id)

    assert str(raised.value) == (
        f"Send sms for notification id {notification_id} to provider is not allowed: service {service_id} is inactive"
    )
    assert (_reload(notification_id).status, len(providers.calls)) == (S.TECHNICAL_FAILURE, 0)


@pytest.mark.parametrize("status", [S.DELIVERED, S.SENDING], ids=str)
def test_a_notification_that_is_not_created_is_left_alone_even_when_it_could_not_be_sent(
    notify_db_session: None, providers: responses.RequestsMock, send_task: MagicMock, status: S
) -> None:
    """The claim is the one check: a duplicate task for a delivered notification, or one another worker holds,
    whose service has since been deactivated changes nothing and raises nothing."""
    notification = create_notification(status=status, sent_at=utc_now())
    dao_update_service(dao_get_service_by_id(notification.service_id), active=False)

    result = send_sms_to_provider(notification.id)

    assert (result, _reload(notification.id).status, len(providers.calls), send_task.call_count) == (
        status,
        status,
        0,
        0,
    )


def test_a_provider_refusing_for_good_is_a_technical_failure(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    _fail(providers, notify_api.config["MMG_URL"], status=400)
    notification_id = create_notification().id

    status = send_sms_to_provider(notification_id)

    assert (status, _reload(notification_id).status) == (S.TECHNICAL_FAILURE, S.TECHNICAL_FAILURE)


@pytest.mark.parametrize(
    ("to", "receipt_status"),
    [("07700900123", "3"), ("07700900003", "4"), ("07700900002", "5")],
    ids=["delivered", "temporary failure", "permanent failure"],
)
def test_a_test_key_sms_calls_no_provider_and_queues_a_simulated_receipt(
    notify_db_session: None, providers: responses.RequestsMock, send_task: MagicMock, to: str, receipt_status: str
) -> None:
    _only("mmg")
    notification_id = create_notification(to=to, key_type="test").id

    status = send_sms_to_provider(notification_id)

    ((task_name,), keywords) = send_task.call_args
    provider, receipt = keywords["args"]
    assert (status, len(providers.calls), _reload(notification_id).sent_by) == (S.SENDING, 0, "mmg")
    assert (task_name, keywords["queue"], provider, receipt["CID"], receipt["status"]) == (
        "process_sms_receipt",
        "receipts",
        "mmg",
        str(notification_id),
        receipt_status,
    )


def test_a_test_key_email_gets_a_ses_like_reference_and_a_simulated_event(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification_id = create_notification(template=create_template(template_type="email"), key_type="test").id

    status = send_email_to_provider(notification_id)

    ((task_name,), keywords) = send_task.call_args
    (event,) = keywords["args"]
    row = _reload(notification_id)
    assert (status, row.sent_by, task_name, event["notificationType"]) == (
        S.SENDING,
        "ses",
        "process_ses_receipt",
        "Delivery",
    )
    assert event["mail"]["messageId"] == row.reference


def test_a_test_key_notification_already_claimed_queues_no_second_receipt(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification_id = create_notification(key_type="test").id
    send_sms_to_provider(notification_id)

    send_sms_to_provider(notification_id)

    assert send_task.call_count == 1


def test_a_notification_final_before_the_answer_is_recorded_keeps_its_status(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    notification_id = create_notification().id

    def receipt_beats_the_worker(request: Any) -> tuple[int, dict[str, str], str]:
        dao_update_notification_status_by_id(notification_id, S.DELIVERED)
        return 200, {}, '{"Reference": 1}'

    providers.remove(responses.POST, notify_api.config["MMG_URL"])
    providers.add_callback(responses.POST, notify_api.config["MMG_URL"], callback=receipt_beats_the_worker)

    status = send_sms_to_provider(notification_id)

    assert (status, _reload(notification_id).sent_at is not None) == (S.DELIVERED, True)


def test_a_stored_recipient_that_is_not_a_phone_number_is_a_technical_failure(
    notify_db_session: None, providers: responses.RequestsMock
) -> None:
    notification_id = create_notification(to="not a phone number").id

    with pytest.raises(NotificationTechnicalFailureException) as raised:
        send_sms_to_provider(notification_id)

    assert str(raised.value).startswith(f"Notification {notification_id} has an invalid recipient: ")
    assert (_reload(notification_id).status, len(providers.calls)) == (S.TECHNICAL_FAILURE, 0)


def _time_out(mock: responses.RequestsMock, url: str) -> None:
    """Make ``url`` take every request and never answer in time (the provider may have taken it)."""
    mock.replace(responses.POST, url, body=requests.ReadTimeout())


def _sent_to_mmg_without_an_answer(notify_api: Flask, providers: responses.RequestsMock) -> uuid.UUID:
    """A notification whose send to MMG at NOW timed out after the request went."""
    _only("mmg")
    _time_out(providers, notify_api.config["MMG_URL"])
    notification_id = create_notification().id
    with freeze_time(NOW), pytest.raises(DeliveryRetryableError):
        send_sms_to_provider(notification_id)
    return notification_id


def test_a_send_that_got_no_answer_waits_for_its_receipt_keeping_the_reference_receipts_carry(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    _time_out(providers, notify_api.config["MMG_URL"])
    notification_id = create_notification().id

    with freeze_time(NOW), pytest.raises(DeliveryRetryableError) as raised:
        send_sms_to_provider(notification_id)

    row = _reload(notification_id)
    assert (raised.value.failed_provider, raised.value.retry_after_seconds) == ("mmg", 180)
    assert (row.status, row.sent_by, row.reference, row.sent_at) == (S.CREATED, "mmg", str(notification_id), None)
    assert row.receipt_wait_until == NOW + timedelta(seconds=180)
    assert notify_api.extensions["redis"].zcard(error_rate_key("mmg")) == 1


def test_a_send_that_got_no_answer_is_not_sent_again_within_the_wait(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    notification_id = _sent_to_mmg_without_an_answer(notify_api, providers)

    with freeze_time(NOW + timedelta(seconds=179)):
        status = send_sms_to_provider(notification_id, excluded_provider="mmg")

    assert (status, _calls_to(providers, notify_api.config["FIRETEXT_URL"])) == (S.CREATED, 0)


def test_a_send_that_got_no_answer_goes_to_the_other_provider_once_the_wait_is_over(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    notification_id = _sent_to_mmg_without_an_answer(notify_api, providers)

    with freeze_time(NOW + timedelta(seconds=180)):
        status = send_sms_to_provider(notification_id, excluded_provider="mmg")

    assert (status, _reload(notification_id).sent_by) == (S.SENDING, "firetext")
    assert _calls_to(providers, notify_api.config["FIRETEXT_URL"]) == 1


def test_a_send_that_got_no_answer_is_never_sent_again_once_its_receipt_has_come(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    notification_id = _sent_to_mmg_without_an_answer(notify_api, providers)
    with freeze_time(NOW + timedelta(seconds=60)):
        process_mmg_receipt({"CID": str(notification_id), "status": "3", "substatus": "2"})

    with freeze_time(NOW + timedelta(hours=1)):
        status = send_sms_to_provider(notification_id, excluded_provider="mmg")

    assert (status, len(providers.calls)) == (S.DELIVERED, 1)


def test_a_send_that_never_left_fails_over_at_once(
    notify_api: Flask, notify_db_session: None, providers: responses.RequestsMock
) -> None:
    _only("mmg")
    providers.replace(responses.POST, notify_api.config["MMG_URL"], body=requests.ConnectTimeout())
    notification_id = create_notification().id
    with pytest.raises(DeliveryRetryableError) as raised:
        send_sms_to_provider(notification_id)
    after_failure = _reload(notification_id)
    left_behind = (after_failure.reference, after_failure.receipt_wait_until)

    status = send_sms_to_provider(notification_id, excluded_provider=raised.value.failed_provider)

    assert (raised.value.retry_after_seconds, left_behind) == (0, (None, None))
    assert (status, _reload(notification_id).sent_by) == (S.SENDING, "firetext")


@pytest.mark.parametrize(
    ("process_type", "job_id", "lane"),
    [("priority", None, "priority"), ("normal", None, "normal"), ("priority", uuid.uuid4(), "bulk")],
    ids=["priority-template", "normal-template", "job-row"],
)
def test_a_handed_over_sms_times_created_to_sent_on_its_lane(
    notify_db_session: None,
    providers: responses.RequestsMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
    process_type: str,
    job_id: uuid.UUID | None,
    lane: str,
) -> None:
    _only("mmg")
    notification = create_notification(
        template=create_template(process_type=process_type),
        created_at=utc_now() - timedelta(seconds=2),
        job_id=job_id,
        job_row_number=0 if job_id else None,
    )

    send_sms_to_provider(notification.id)

    timings = {
        name.removeprefix(f"{STATSD_PREFIX}."): float(value.split("|")[0])
        for name, value in (datagram.split(":", 1) for datagram in statsd_listener.receive_all())
        if ".created-to-sent" in name
    }
    assert list(timings) == [f"lanes.{lane}.sms.created-to-sent"]
    assert 2000 <= timings[f"lanes.{lane}.sms.created-to-sent"] < 10_000
