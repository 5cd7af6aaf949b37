"""Batched delivery (deliver_sms_batch / deliver_email_batch): each notification of a batch ends exactly as a single
send would leave it, is sent at most once however often or concurrently its batch runs, and what a single send would
retry is queued as its single deliver task, counted as its first retry."""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
import requests
import responses
from botocore.stub import Stubber
from celery import Task
from celery.exceptions import Retry
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from app.celery.provider_tasks import deliver_email_batch, deliver_sms_batch
from app.celery.queues import TaskNames
from app.clients.registry import ProviderClients
from app.clients.statsd_client import StatsdClient
from app.clock import utc_now
from app.dao.notification_sending_dao import ClaimRequest
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.provider_details_dao import dao_get_provider_details_by_identifier, dao_update_provider_details
from app.dao.services_dao import dao_get_service_by_id, dao_update_service
from app.delivery.batch_send import call_start_window, send_batch
from app.delivery.claims import claim_notifications_for_sending, record_provider_answers
from app.delivery.errors import DeliveryRetryableError
from app.delivery.queueing import MAX_DELIVER_BATCH
from app.delivery.send_to_providers import send_sms_to_provider
from app.extensions import db
from app.models import Notification
from app.notification_status import NotificationStatus
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_notification, create_template

S = NotificationStatus
ACCEPTED, REFUSED, UNAVAILABLE, NO_ANSWER = "accepted", "refused", "unavailable", "no-answer"


class Mmg:
    """MMG (and Firetext) over HTTP, answering each notification, by the reference it is sent with, as ``outcomes``
    says (default: accepted); ``sent`` counts the requests each notification got."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.sent: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __setitem__(self, notification_id: uuid.UUID, outcome: str) -> None:
        self.outcomes[str(notification_id)] = outcome

    def answer(self, request: Any) -> tuple[int, dict[str, str], Any]:
        reference = json.loads(request.body)["cid"]
        with self._lock:
            self.sent[reference] += 1
        outcome = self.outcomes.get(reference, ACCEPTED)
        if outcome == REFUSED:
            return 400, {}, '{"Error": "bad request"}'
        if outcome == UNAVAILABLE:
            return 503, {}, '{"Error": "unavailable"}'
        if outcome == NO_ANSWER:
            return 0, {}, requests.ReadTimeout()
        return 200, {}, '{"Reference": 12345678}'


@pytest.fixture
def mmg(notify_api: Flask, provider_clients: ProviderClients) -> Iterator[Mmg]:
    """MMG with all the SMS weight (changed long enough ago not to block error bursts)."""
    with freeze_time(utc_now().replace(year=2020)):
        for identifier in ("mmg", "firetext"):
            dao_update_provider_details(
                dao_get_provider_details_by_identifier(identifier),
                reason="test",
                priority=100 if identifier == "mmg" else 0,
            )
    provider = Mmg()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, notify_api.config["MMG_URL"], callback=provider.answer)
        mock.add_callback(responses.POST, notify_api.config["FIRETEXT_URL"], callback=provider.answer)
        yield provider


def _once_each(ids: list[uuid.UUID] | list[str]) -> Counter[str]:
    return Counter({str(notification_id): 1 for notification_id in ids})


def _reload(notification_id: uuid.UUID) -> Notification:
    db.session.remove()
    return dao_get_notification_by_id(notification_id)


def _run(task: Task, ids: list[str], *, routing_key: str = "bulk-sms") -> None:
    """Run the batch task's body as a worker would on its first attempt, delivered from ``routing_key``."""
    task.push_request(retries=0, args=[ids], kwargs={}, delivery_info={"routing_key": routing_key})
    try:
        task.run(ids)
    finally:
        task.pop_request()


def _queued(send_task: MagicMock) -> dict[str, tuple[str, dict[str, Any]]]:
    """The single deliver tasks queued, by notification id: (task name, the queue_task keywords but args)."""
    queued = {}
    for call in send_task.call_args_list:
        name = call.args[0]
        if name in (TaskNames.DELIVER_SMS, TaskNames.DELIVER_EMAIL):
            keywords = dict(call.kwargs)
            queued[keywords.pop("args")[0]] = (name, keywords)
    return queued


def _row_state(row: Notification) -> tuple[Any, ...]:
    """What a send leaves behind on a notification, without the values that differ between two notifications."""
    return (
        row.status,
        row.sent_by,
        row.billable_units,
        row.sent_at is not None,
        row.reference == str(row.id),
        row.sending_claimed_at is not None,
        row.receipt_wait_until is not None,
    )


def test_a_batch_with_mixed_outcomes_leaves_each_notification_as_a_single_send_would(
    notify_api: Flask, notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    template = create_template(content="x" * 200)
    outcomes = [ACCEPTED, ACCEPTED, REFUSED, UNAVAILABLE, NO_ANSWER, ACCEPTED]
    batch = [create_notification(template=template).id for _ in outcomes]
    singles = [create_notification(template=template).id for _ in outcomes]
    for notification_id, single_id, outcome in zip(batch, singles, outcomes, strict=True):
        mmg[notification_id] = mmg[single_id] = outcome
    missing = uuid.uuid4()

    now = utc_now()
    _run(deliver_sms_batch, [str(notification_id) for notification_id in [*batch, missing]])
    for single_id in singles:
        with contextlib.suppress(DeliveryRetryableError):
            send_sms_to_provider(single_id)

    assert [_row_state(_reload(n)) for n in batch] == [_row_state(_reload(n)) for n in singles]
    assert [_reload(n).status for n in batch] == [
        S.SENDING,
        S.SENDING,
        S.TECHNICAL_FAILURE,
        S.CREATED,
        S.CREATED,
        S.SENDING,
    ]
    assert [mmg.sent[str(n)] for n in batch] == [1] * len(batch)
    retries = _queued(send_task)
    retry = {"queue": "retry", "retries": 1}
    assert retries == {
        str(batch[3]): ("deliver_sms", {**retry, "kwargs": {"failed_provider": "mmg"}, "countdown_seconds": 0}),
        str(batch[4]): ("deliver_sms", {**retry, "kwargs": {"failed_provider": "mmg"}, "countdown_seconds": 180}),
        str(missing): ("deliver_sms", {**retry, "countdown_seconds": 1}),
    }
    unavailable, no_answer = _reload(batch[3]), _reload(batch[4])
    assert unavailable.next_attempt_at is not None
    assert abs(unavailable.next_attempt_at - now) < timedelta(seconds=5)
    assert no_answer.next_attempt_at is not None
    assert timedelta(seconds=175) < no_answer.next_attempt_at - now < timedelta(seconds=185)


def test_a_priority_batch_retries_on_its_own_queue_and_an_email_batch_after_five_minutes(
    notify_api: Flask, notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    notification_id = create_notification().id
    mmg[notification_id] = UNAVAILABLE

    _run(deliver_sms_batch, [str(notification_id)], routing_key="priority-sms")

    assert _queued(send_task)[str(notification_id)][1]["queue"] == "priority-sms"
    with patch("app.celery.provider_tasks.send_batch") as send:
        send.return_value.retries = [
            type("R", (), {"notification_id": notification_id, "failed_provider": "ses", "least_countdown_seconds": 0})
        ]
        send.return_value.missing = []
        send_task.reset_mock()
        _run(deliver_email_batch, [str(notification_id)], routing_key="send-email")
    assert _queued(send_task)[str(notification_id)] == (
        "deliver_email",
        {"queue": "retry", "kwargs": {"failed_provider": "ses"}, "countdown_seconds": 300, "retries": 1},
    )


def test_the_same_batch_run_again_or_with_repeated_ids_sends_each_notification_once(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    ids = [create_notification().id for _ in range(5)]

    first = send_batch([*ids, ids[0], ids[1]])
    again = send_batch(ids)

    assert set(first.statuses.values()) == set(again.statuses.values()) == {S.SENDING}
    assert mmg.sent == _once_each(ids)


def test_overlapping_batches_running_at_once_send_each_notification_once(
    notify_api: Flask, notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    ids = [create_notification().id for _ in range(30)]
    batches = [ids[0:20], ids[10:30], ids[5:25], ids]
    start = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def run(batch: list[uuid.UUID]) -> None:
        with notify_api.app_context():
            try:
                start.wait()
                send_batch(batch)
            except BaseException as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert mmg.sent == _once_each(ids)
    assert {_reload(notification_id).status for notification_id in ids} == {S.SENDING}


def test_a_batch_takes_over_a_stale_claim_and_leaves_a_live_one_and_an_answered_one_alone(
    notify_api: Flask, notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    lease = notify_api.config["SENDING_CLAIM_LEASE_SECONDS"]
    stale, live, answered = (create_notification().id for _ in range(3))
    with freeze_time(utc_now() - timedelta(seconds=lease + 1)):
        send_batch([stale, answered])
    db.session.execute(
        update(Notification).where(Notification.id == stale).values(sent_at=None, reference=None, sent_by="firetext")
    )
    db.session.commit()
    send_batch([live])
    before = {n: _reload(n).sending_claimed_at for n in (stale, live, answered)}

    outcome = send_batch([stale, live, answered])

    after = {n: _reload(n) for n in (stale, live, answered)}
    assert after[stale].sending_claimed_at != before[stale]
    assert (after[stale].sent_by, after[stale].sent_at is not None) == ("mmg", True)
    assert after[live].sending_claimed_at == before[live]
    assert after[answered].sending_claimed_at == before[answered]
    assert mmg.sent == Counter({str(stale): 2, str(live): 1, str(answered): 1})
    assert outcome.retries == []


def test_a_batch_waits_out_a_send_that_may_have_been_taken(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    notification_id = create_notification().id
    mmg[notification_id] = NO_ANSWER
    send_batch([notification_id])
    mmg[notification_id] = ACCEPTED

    waiting = send_batch([notification_id])

    assert waiting.statuses == {notification_id: S.CREATED}
    assert mmg.sent[str(notification_id)] == 1


def test_a_research_mode_batch_calls_no_provider_and_queues_a_simulated_receipt_each(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    sms = [create_notification(key_type="test").id for _ in range(3)]
    emails = [
        create_notification(template=create_template(template_type="email"), key_type="test").id for _ in range(2)
    ]

    outcome = send_batch([*sms, *emails])

    assert set(outcome.statuses.values()) == {S.SENDING}
    assert sum(mmg.sent.values()) == 0
    receipts = Counter(call.args[0] for call in send_task.call_args_list)
    assert receipts == Counter({TaskNames.PROCESS_SMS_RECEIPT: 3, TaskNames.PROCESS_SES_RECEIPT: 2})
    assert all(_reload(n).reference for n in emails)


def test_an_unsendable_notification_fails_alone_and_the_rest_of_the_batch_is_sent(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    good, bad = create_notification().id, create_notification(to="not a phone number").id

    outcome = send_batch([good, bad])

    assert (_reload(good).status, _reload(bad).status) == (S.SENDING, S.TECHNICAL_FAILURE)
    assert (outcome.retries, mmg.sent) == ([], Counter({str(good): 1}))


def test_a_call_that_cannot_start_within_the_claims_window_is_not_made_and_retried_at_once(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    ids = [create_notification().id for _ in range(3)]

    with patch("app.delivery.batch_send.call_start_window", return_value=timedelta(seconds=-1)):
        outcome = send_batch(ids)

    assert sum(mmg.sent.values()) == 0
    assert {_reload(n).status for n in ids} == {S.CREATED}
    assert sorted((r.notification_id, r.failed_provider, r.least_countdown_seconds) for r in outcome.retries) == sorted(
        (n, None, 0) for n in ids
    )


def test_a_batch_longer_than_the_limit_is_sent_in_parts(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    template = create_template()
    ids = [str(create_notification(template=template).id) for _ in range(MAX_DELIVER_BATCH + 7)]

    with patch("app.celery.provider_tasks.send_batch", wraps=send_batch) as send:
        _run(deliver_sms_batch, ids)

    assert [len(call.args[0]) for call in send.call_args_list] == [MAX_DELIVER_BATCH, 7]
    assert mmg.sent == _once_each(ids)


def test_a_batch_that_cannot_reach_the_database_is_retried_soon_with_what_it_had_not_done(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    unreachable = OperationalError("SELECT", {}, Exception("connection refused"))

    with (
        patch("app.delivery.batch_send.dao_get_notifications_for_sending", side_effect=unreachable),
        patch.object(deliver_sms_batch, "retry", side_effect=Retry()) as retry,
        pytest.raises(Retry),
    ):
        _run(deliver_sms_batch, ids)

    assert retry.call_args.kwargs["countdown"] == 1
    assert retry.call_args.kwargs["args"] == [ids]
    assert sum(mmg.sent.values()) == 0


def test_ids_that_are_not_notification_ids_are_dropped_and_the_rest_sent(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    notification_id = create_notification().id

    _run(deliver_sms_batch, ["not-an-id", 42, str(notification_id)])  # type: ignore[list-item]

    assert mmg.sent == Counter({str(notification_id): 1})


def test_a_batch_of_an_inactive_service_fails_its_notifications_without_calling_a_provider(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    template = create_template()
    ids = [create_notification(template=template).id for _ in range(2)]
    dao_update_service(dao_get_service_by_id(template.service_id), active=False)

    outcome = send_batch(ids)

    assert (outcome.retries, outcome.statuses, sum(mmg.sent.values())) == ([], {}, 0)
    assert {_reload(n).status for n in ids} == {S.TECHNICAL_FAILURE}


@pytest.mark.parametrize(
    ("lease", "provider_timeout", "window"),
    [(60, 10, 9.5), (90, 10, 39.5), (2, 5, 1)],
    ids=["defaults", "longer-lease", "lease-shorter-than-a-call"],
)
def test_a_batch_s_calls_may_start_until_the_lease_less_the_slowest_call_and_the_recording_retries(
    notify_api: Flask, monkeypatch: pytest.MonkeyPatch, lease: int, provider_timeout: float, window: float
) -> None:
    monkeypatch.setitem(notify_api.config, "SENDING_CLAIM_LEASE_SECONDS", lease)
    monkeypatch.setitem(notify_api.config, "PROVIDER_TIMEOUT_SECONDS", provider_timeout)

    with notify_api.app_context():
        assert call_start_window() == timedelta(seconds=window)


def test_recording_a_batch_s_answers_keeps_the_first_answer_recorded(
    notify_db_session: None, mmg: Mmg, send_task: MagicMock
) -> None:
    first, second = create_notification().id, create_notification().id
    claims = claim_notifications_for_sending([ClaimRequest(n, "mmg", 1) for n in (first, second)])
    record_provider_answers({claims[first]: "first-answer"})

    recorded = record_provider_answers({claims[first]: "late-answer", claims[second]: "second-answer"})

    assert (recorded[first].status, recorded[second].status) == (None, S.SENDING)
    assert (_reload(first).reference, _reload(second).reference) == ("first-answer", "second-answer")


def test_an_email_batch_settles_each_answer_as_a_single_send_would(
    notify_db_session: None, provider_clients: ProviderClients, send_task: MagicMock
) -> None:
    template = create_template(template_type="email")
    ids = [create_notification(template=template).id for _ in range(3)]
    with Stubber(provider_clients.email("ses").boto_client) as ses:  # type: ignore[attr-defined]
        # The calls run at once, so which notification gets which answer is not known: each answer goes to one.
        ses.add_response("send_email", {"MessageId": "ses-message-1"})
        ses.add_client_error("send_email", service_error_code="InvalidParameterValue", http_status_code=400)
        ses.add_client_error("send_email", service_error_code="TooManyRequestsException", http_status_code=429)

        _run(deliver_email_batch, [str(n) for n in ids], routing_key="send-email")

        ses.assert_no_pending_responses()
    rows = {row.status: row for row in (_reload(n) for n in ids)}
    assert sorted(rows) == sorted([S.SENDING, S.PERMANENT_FAILURE, S.CREATED])
    assert (rows[S.SENDING].reference, rows[S.SENDING].sent_at is not None) == ("ses-message-1", True)
    assert _queued(send_task) == {
        str(rows[S.CREATED].id): (
            "deliver_email",
            {"queue": "retry", "kwargs": {"failed_provider": "ses"}, "countdown_seconds": 300, "retries": 1},
        )
    }


def test_each_notification_of_a_batch_is_timed_from_creation_to_sent_on_its_lane(
    notify_db_session: None,
    mmg: Mmg,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    template = create_template()
    ids = [create_notification(template=template, created_at=utc_now() - timedelta(seconds=2)).id for _ in range(3)]

    send_batch(ids)

    datagrams = [datagram.split(":", 1) for datagram in statsd_listener.receive_all()]
    timings = [
        (name.removeprefix(f"{STATSD_PREFIX}."), float(value.split("|")[0]))
        for name, value in datagrams
        if name.endswith((".created-to-sent", "sms.total-time"))
    ]
    assert sorted(name for name, _ms in timings) == ["lanes.normal.sms.created-to-sent"] * 3 + ["sms.total-time"] * 3
    assert all(2000 <= ms < 10_000 for _name, ms in timings)
