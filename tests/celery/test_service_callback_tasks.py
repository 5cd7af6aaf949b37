"""Service callback tasks against a real local HTTP server: headers, body, signature, and when they retry."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from unittest.mock import patch

import pytest
from celery.exceptions import Retry
from flask import Flask

from app.celery.service_callback_tasks import (
    send_complaint_to_service,
    send_delivery_status_to_service,
    send_inbound_sms_to_service,
)
from app.clients.statsd_client import StatsdClient
from app.dao.complaints_dao import dao_create_complaint
from app.dao.inbound_sms_dao import dao_create_inbound_sms
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.models import Notification
from app.recent_event_counts import EventKind, list_recent_event_counts
from tests.callbacks.recording_server import Answer, RecordingServer
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_notification, create_service, create_template

BEARER_TOKEN = "service-bearer-token-123"
CREATED_AT = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
SENT_AT = datetime(2026, 11, 20, 12, 0, 1, 500000, tzinfo=UTC)


@pytest.fixture
def callback_server() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    yield server
    server.stop()


def _delivered_notification_with_callback(
    url: str, *, callback_type: str = "delivery_status"
) -> tuple[Notification, str]:
    template = create_template(template_type="sms")
    notification = create_notification(
        template=template,
        to="+447700900123",
        status="delivered",
        created_at=CREATED_AT,
        sent_at=SENT_AT,
        client_reference="client-ref-1",
    )
    _, signing_secret = dao_save_service_callback(
        template.service_id, callback_type=callback_type, url=f"{url}/callback", bearer_token=BEARER_TOKEN
    )
    return notification, signing_secret


def test_delivery_status_callback_posts_the_notification_with_bearer_token_and_json(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)

    send_delivery_status_to_service(str(notification.id))

    [request] = callback_server.requests
    assert (request.method, request.path, request.headers["Authorization"], request.headers["Content-Type"]) == (
        "POST",
        "/callback",
        f"Bearer {BEARER_TOKEN}",
        "application/json",
    )


def test_delivery_status_callback_body_has_the_notify_fields(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)

    send_delivery_status_to_service(str(notification.id))

    body = json.loads(callback_server.requests[0].body)
    assert body == {
        "id": str(notification.id),
        "reference": "client-ref-1",
        "to": "+447700900123",
        "status": "delivered",
        "created_at": "2026-11-20T12:00:00.000000Z",
        "completed_at": None,
        "sent_at": "2026-11-20T12:00:01.500000Z",
        "notification_type": "sms",
        "template_id": str(notification.template_id),
        "template_version": 1,
    }


def test_delivery_status_callback_is_signed_with_hmac_sha256_of_the_exact_body(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, signing_secret = _delivered_notification_with_callback(callback_server.url)

    send_delivery_status_to_service(str(notification.id))

    [request] = callback_server.requests
    expected = hmac.new(signing_secret.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Herald-Signature"] == f"sha256={expected}"


@pytest.mark.parametrize("status_code", [500, 502, 503, 429], ids=lambda code: f"http-{code}")
def test_delivery_status_callback_retries_in_five_minutes_when_the_service_may_take_it_later(
    notify_db_session: None, callback_server: RecordingServer, status_code: int
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(status_code)])

    with (
        patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        send_delivery_status_to_service(str(notification.id))

    retry.assert_called_once_with(countdown=300, queue="callbacks")


def test_delivery_status_callback_succeeds_on_the_retry_after_a_500(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(500), Answer(200)])
    with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()), pytest.raises(Retry):
        send_delivery_status_to_service(str(notification.id))

    with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry:
        send_delivery_status_to_service(str(notification.id))

    assert (len(callback_server.requests), retry.call_count) == (2, 0)
    assert callback_server.requests[0].body == callback_server.requests[1].body


@pytest.mark.parametrize("status_code", [400, 401, 403, 404, 410], ids=lambda code: f"http-{code}")
def test_delivery_status_callback_is_not_retried_when_the_service_refuses_it(
    notify_db_session: None, callback_server: RecordingServer, status_code: int
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(status_code)])

    with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry:
        send_delivery_status_to_service(str(notification.id))

    assert (len(callback_server.requests), retry.call_count) == (1, 0)


def test_delivery_status_callback_retries_after_a_timeout(
    notify_api: Flask, notify_db_session: None, callback_server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    monkeypatch.setitem(notify_api.config, "SERVICE_CALLBACK_TIMEOUT_SECONDS", 0.2)
    callback_server.script([Answer(200, delay_seconds=1.0)])

    with (
        patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        send_delivery_status_to_service(str(notification.id))

    assert retry.call_count == 1


def test_delivery_status_callback_retries_when_nothing_listens(notify_db_session: None) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port_url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    notification, _ = _delivered_notification_with_callback(closed_port_url)

    with (
        patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        send_delivery_status_to_service(str(notification.id))

    assert retry.call_count == 1


def test_delivery_status_callback_gives_up_with_an_error_log_after_five_retries(
    notify_db_session: None, callback_server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(503)])
    send_delivery_status_to_service.push_request(retries=5)

    try:
        with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry:
            send_delivery_status_to_service.run(str(notification.id))
    finally:
        send_delivery_status_to_service.pop_request()

    assert retry.call_count == 0
    assert [record.levelno for record in caplog.records if "giving up" in record.getMessage()] == [logging.ERROR]


def test_delivery_status_callback_sends_nothing_when_the_service_removed_its_callback(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification = create_notification(status="delivered")

    send_delivery_status_to_service(str(notification.id))

    assert callback_server.requests == []


def test_complaint_callback_posts_the_complaint_and_its_notification(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url, callback_type="complaint")
    complaint = dao_create_complaint(
        notification_id=notification.id,
        service_id=notification.service_id,
        ses_feedback_id="feedback-1",
        complaint_type="abuse",
        complaint_date=datetime(2026, 11, 20, 13, 59, 58, tzinfo=UTC),
    )
    assert complaint is not None

    send_complaint_to_service(str(complaint.id))

    assert json.loads(callback_server.requests[0].body) == {
        "notification_id": str(notification.id),
        "complaint_id": str(complaint.id),
        "reference": "client-ref-1",
        "to": "+447700900123",
        "complaint_date": "2026-11-20T13:59:58.000000Z",
    }


def test_inbound_sms_callback_posts_the_message(notify_db_session: None, callback_server: RecordingServer) -> None:
    service = create_service(permissions=["sms", "inbound_sms"])
    dao_save_service_callback(
        service.id, callback_type="inbound_sms", url=f"{callback_server.url}/inbound", bearer_token=BEARER_TOKEN
    )
    inbound_sms = dao_create_inbound_sms(
        service_id=service.id,
        notify_number="07700900001",
        user_number="447700900123",
        content="Hello there",
        provider="mmg",
        provider_reference="mmg-1",
        provider_date=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    )

    send_inbound_sms_to_service(str(inbound_sms.id))

    [request] = callback_server.requests
    assert (request.path, json.loads(request.body)) == (
        "/inbound",
        {
            "id": str(inbound_sms.id),
            "source_number": "447700900123",
            "destination_number": "07700900001",
            "message": "Hello there",
            "date_received": "2026-11-20T09:30:00.000000Z",
        },
    )


def test_a_stored_callback_url_that_leads_to_loopback_is_refused_at_send_time_and_not_retried(
    notify_api: Flask,
    notify_db_session: None,
    callback_server: RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Stored before the destination policy existed (or by any path around the admin API): the name resolves to
    # 127.0.0.1 only when the callback is sent.
    monkeypatch.setitem(notify_api.config, "CALLBACK_LOCAL_NETWORKS", ())
    port = callback_server.url.rsplit(":", 1)[1]
    notification, _ = _delivered_notification_with_callback(f"https://localhost:{port}")

    with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()) as retry:
        send_delivery_status_to_service(str(notification.id))

    assert (callback_server.requests, retry.call_count) == ([], 0)
    [refusal] = [record for record in caplog.records if "refused" in record.getMessage()]
    assert "address refused by the destination policy" in refusal.getMessage()


def test_the_callback_is_posted_with_no_database_session_open(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    sessions_open_at_post: list[bool] = []

    def post_and_record(*args: object, **kwargs: object) -> int:
        sessions_open_at_post.append(db.session.registry.has())
        return 200

    with patch("app.callbacks.dispatch.post_callback", side_effect=post_and_record):
        send_delivery_status_to_service(str(notification.id))

    assert sessions_open_at_post == [False]


def _callback_counters(listener: StatsdListener) -> list[str]:
    return [line for line in listener.receive_all() if ".callbacks." in line]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [(200, "sent"), (410, "rejected"), (503, "retried")],
    ids=["sent", "refused-for-good", "retried"],
)
def test_each_callback_outcome_is_counted_under_its_kind(
    notify_db_session: None,
    callback_server: RecordingServer,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
    answer: int,
    outcome: str,
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(answer)])

    with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()), contextlib.suppress(Retry):
        send_delivery_status_to_service(str(notification.id))

    assert _callback_counters(statsd_listener) == [f"{STATSD_PREFIX}.callbacks.delivery-status.{outcome}:1|c"]


def test_a_callback_given_up_after_its_last_retry_is_counted_as_failed(
    notify_db_session: None,
    callback_server: RecordingServer,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(503)])
    send_delivery_status_to_service.push_request(retries=5)

    try:
        send_delivery_status_to_service.run(str(notification.id))
    finally:
        send_delivery_status_to_service.pop_request()

    assert _callback_counters(statsd_listener) == [f"{STATSD_PREFIX}.callbacks.delivery-status.failed:1|c"]


def _callback_failures(outcome: str) -> int:
    return sum(list_recent_event_counts(EventKind.CALLBACK_FAILURE, outcome, minutes=2) or [])


def test_each_failed_callback_is_counted_for_the_operator_console_by_outcome(
    notify_db_session: None, callback_server: RecordingServer
) -> None:
    notification, _ = _delivered_notification_with_callback(callback_server.url)
    callback_server.script([Answer(500), Answer(404), Answer(503)])
    with patch.object(send_delivery_status_to_service, "retry", side_effect=Retry()), pytest.raises(Retry):
        send_delivery_status_to_service(str(notification.id))
    send_delivery_status_to_service(str(notification.id))
    send_delivery_status_to_service.push_request(retries=5)
    try:
        send_delivery_status_to_service.run(str(notification.id))
    finally:
        send_delivery_status_to_service.pop_request()

    counted = {outcome: _callback_failures(outcome) for outcome in ("retrying", "refused", "given-up")}

    assert counted == {"retrying": 1, "refused": 1, "given-up": 1}
