"""Receipt batches: one statement applies a batch, and every notification ends exactly as the same receipts applied one
by one would leave it (status, status events, callbacks, metrics); what the batch cannot apply takes the one-receipt
path, and a receipt that may be early is queued again alone on the one-receipt retry schedule."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import MagicMock, call, patch

import pytest
from celery.exceptions import Retry
from sqlalchemy import event, text

from app.celery.process_receipt_tasks import (
    MAX_RECEIPT_BATCH,
    process_ses_receipt,
    process_ses_receipts,
    process_sms_receipt,
    process_sms_receipts,
)
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.models import Template
from app.notification_status import NotificationStatus
from tests.celery.database_faults import terminate_session_connection
from tests.celery.task_runs import run_as_retry
from tests.clients.statsd_listener import StatsdListener
from tests.conftest import STATSD_PREFIX
from tests.factories import create_notification, create_template
from tests.receipts.payloads import firetext_receipt, mmg_receipt, ses_event

S = NotificationStatus


@dataclass(frozen=True)
class Scenario:
    """Notifications by role, and the receipts to apply to them, in order."""

    ids: dict[str, uuid.UUID]
    receipts: list[dict[str, Any]]


def _mmg_scenario(template: Template) -> Scenario:
    """Every kind of receipt an MMG batch may hold."""
    ids: dict[str, uuid.UUID] = {}

    def notification(role: str, status: S, **fields: Any) -> str:
        ids[role] = create_notification(template=template, status=status, sent_by="mmg", **fields).id
        return str(ids[role])

    awaiting_id = uuid.uuid4()
    receipts = [
        mmg_receipt("delivered", CID=notification("delivered", S.SENDING)),
        mmg_receipt("permanent_failure", CID=notification("permanent-failure", S.SENDING)),
        mmg_receipt("temporary_failure", CID=notification("temporary-failure", S.SENDING)),
        mmg_receipt("permanent_failure", CID=notification("already-final", S.DELIVERED)),
        mmg_receipt("delivered", CID=str(uuid.uuid4())),  # a notification Herald does not have
        mmg_receipt("delivered", CID=notification("created", S.CREATED)),  # its send has not been taken
        mmg_receipt(
            "delivered",
            CID=notification(
                "awaiting-its-receipt", S.CREATED, notification_id=awaiting_id, reference=str(awaiting_id)
            ),
        ),
        mmg_receipt("delivered", CID=notification("twice-delivered", S.SENDING)),
        mmg_receipt("delivered", CID=str(ids["twice-delivered"])),
        mmg_receipt("delivered", CID=notification("unrecognised-status", S.SENDING), status="99"),
        mmg_receipt("permanent_failure", CID=notification("two-final", S.SENDING)),
        mmg_receipt("delivered", CID=str(ids["two-final"])),  # first final status wins
        {"CID": "not-a-notification-id", "status": "3", "substatus": "5"},
    ]
    return Scenario(ids, receipts)


def declined(reference: str) -> dict[str, str]:
    receipt = firetext_receipt("declined_code101", reference=reference)
    del receipt["code"]
    return receipt


def _firetext_scenario(template: Template) -> Scenario:
    """Without a detailed code, Firetext's "declined" means temporary-failure after `pending`, permanent-failure
    otherwise."""
    ids: dict[str, uuid.UUID] = {}

    def notification(role: str, status: S) -> str:
        ids[role] = create_notification(template=template, status=status, sent_by="firetext").id
        return str(ids[role])

    receipts = [
        declined(notification("declined-after-sending", S.SENDING)),
        declined(notification("declined-after-pending", S.PENDING)),
        firetext_receipt("pending", reference=notification("pending-then-declined", S.SENDING)),
        declined(str(ids["pending-then-declined"])),
        firetext_receipt("pending", reference=notification("pending-then-delivered", S.SENDING)),
        firetext_receipt("delivered", reference=str(ids["pending-then-delivered"])),
        firetext_receipt("declined_code101", reference=notification("declined-unknown-subscriber", S.PENDING)),
    ]
    return Scenario(ids, receipts)


def _ses_scenario(template: Template) -> Scenario:
    ids: dict[str, uuid.UUID] = {}

    def notification(role: str, status: S) -> str:
        reference = f"ses-{uuid.uuid4()}"
        ids[role] = create_notification(template=template, status=status, sent_by="ses", reference=reference).id
        return reference

    long_ago = datetime.now(UTC) - timedelta(hours=1)
    complaint = ses_event("complaint", message_id=notification("complained-of", S.DELIVERED))
    complaint["complaint"]["feedbackId"] = f"feedback-{uuid.uuid4()}"
    receipts = [
        ses_event("delivery", message_id=notification("delivered", S.SENDING)),
        ses_event("bounce_permanent", message_id=notification("permanent-failure", S.SENDING)),
        ses_event("bounce_transient", message_id=notification("temporary-failure", S.PENDING)),
        ses_event("bounce_permanent", message_id=notification("already-final", S.DELIVERED)),
        complaint,
        ses_event("delivery", message_id="never-sent-by-herald", accepted_at=long_ago),
        ses_event("delivery", message_id=notification("twice-delivered", S.SENDING)),
    ]
    receipts.append(receipts[-1])
    return Scenario(ids, receipts)


@dataclass(frozen=True)
class Outcome:
    status: str
    sent_by: str | None
    has_sent_at: bool
    status_events: list[str]
    callback_queued: bool


def _outcomes(scenario: Scenario, send_task: MagicMock) -> dict[str, Outcome]:
    callbacks = {
        str(queued.kwargs["args"][0])
        for queued in send_task.call_args_list
        if queued.args == ("send_delivery_status_to_service",)
    }
    outcomes = {}
    for role, notification_id in scenario.ids.items():
        row = dao_get_notification_by_id(notification_id)
        events = db.session.execute(
            text(
                "SELECT notification_status FROM notification_status_events WHERE notification_id = :id"
                " ORDER BY changed_at, id"
            ),
            {"id": notification_id},
        )
        outcomes[role] = Outcome(
            status=row.status,
            sent_by=row.sent_by,
            has_sent_at=row.sent_at is not None,
            status_events=list(events.scalars()),
            callback_queued=str(notification_id) in callbacks,
        )
    db.session.commit()
    return outcomes


def _receipt_metrics(datagrams: list[str]) -> list[str]:
    """The status and receipt metrics (name and type; a timer's value differs from run to run), sorted."""
    names = []
    for datagram in datagrams:
        name, rest = datagram.removeprefix(f"{STATSD_PREFIX}.").split(":", 1)
        kind = rest.split("|", 1)[1]
        if name.startswith(("notifications.", "callback.")):
            names.append(f"{name}|{kind}" if kind == "ms" else f"{name}:{rest}")
    return sorted(names)


def _with_delivery_status_callback() -> Template:
    template = create_template(template_type="sms")
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    return template


def _email_template_with_callback() -> Template:
    template = create_template(template_type="email")
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    return template


SCENARIOS: list[tuple[str, Callable[[Template], Scenario], Callable[[], Template]]] = [
    ("mmg", _mmg_scenario, _with_delivery_status_callback),
    ("firetext", _firetext_scenario, _with_delivery_status_callback),
    ("ses", _ses_scenario, _email_template_with_callback),
]


def _apply_one_by_one(provider: str, receipts: list[dict[str, Any]]) -> None:
    for receipt in receipts:
        if provider == "ses":
            process_ses_receipt(receipt)
        else:
            process_sms_receipt(provider, receipt)


def _apply_as_batch(provider: str, receipts: list[dict[str, Any]]) -> None:
    if provider == "ses":
        process_ses_receipts(receipts)
    else:
        process_sms_receipts(provider, receipts)


@pytest.mark.parametrize(("provider", "scenario_for", "template_for"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_a_batch_ends_every_notification_as_its_receipts_one_by_one_would(
    notify_db_session: None,
    send_task: MagicMock,
    statsd_listener: StatsdListener,
    installed_statsd_client: object,
    provider: str,
    scenario_for: Callable[[Template], Scenario],
    template_for: Callable[[], Template],
) -> None:
    one_by_one = scenario_for(template_for())
    batched = scenario_for(template_for())
    statsd_listener.receive_all()

    _apply_one_by_one(provider, one_by_one.receipts)
    one_by_one_metrics = _receipt_metrics(statsd_listener.receive_all())
    one_by_one_outcomes = _outcomes(one_by_one, send_task)
    send_task.reset_mock()
    _apply_as_batch(provider, batched.receipts)
    batched_metrics = _receipt_metrics(statsd_listener.receive_all())
    batched_outcomes = _outcomes(batched, send_task)

    assert batched_outcomes == one_by_one_outcomes
    assert batched_metrics == one_by_one_metrics
    assert batched_metrics != []


def test_mmg_batch_outcomes_are_those_the_receipts_ask_for(notify_db_session: None, send_task: MagicMock) -> None:
    """Pins what the comparison above compares: each role's end, events and callback."""
    scenario = _mmg_scenario(_with_delivery_status_callback())

    process_sms_receipts("mmg", scenario.receipts)

    outcomes = _outcomes(scenario, send_task)
    assert {role: (o.status, o.status_events, o.callback_queued) for role, o in outcomes.items()} == {
        "delivered": (S.DELIVERED, [S.DELIVERED], True),
        "permanent-failure": (S.PERMANENT_FAILURE, [S.PERMANENT_FAILURE], True),
        "temporary-failure": (S.TEMPORARY_FAILURE, [S.TEMPORARY_FAILURE], True),
        "already-final": (S.DELIVERED, [], False),
        "created": (S.CREATED, [], False),
        "awaiting-its-receipt": (S.DELIVERED, [S.DELIVERED], True),
        "twice-delivered": (S.DELIVERED, [S.DELIVERED], True),
        "unrecognised-status": (S.TECHNICAL_FAILURE, [S.TECHNICAL_FAILURE], True),
        "two-final": (S.PERMANENT_FAILURE, [S.PERMANENT_FAILURE], True),
    }
    assert (outcomes["awaiting-its-receipt"].sent_by, outcomes["awaiting-its-receipt"].has_sent_at) == ("mmg", True)


def test_firetext_batch_judges_declined_by_the_status_it_replaces(
    notify_db_session: None, send_task: MagicMock
) -> None:
    scenario = _firetext_scenario(create_template())

    process_sms_receipts("firetext", scenario.receipts)

    assert {role: outcome.status for role, outcome in _outcomes(scenario, send_task).items()} == {
        "declined-after-sending": S.PERMANENT_FAILURE,
        "declined-after-pending": S.TEMPORARY_FAILURE,
        "pending-then-declined": S.TEMPORARY_FAILURE,
        "pending-then-delivered": S.DELIVERED,
        "declined-unknown-subscriber": S.PERMANENT_FAILURE,
    }


def test_a_batch_applied_twice_changes_nothing_the_second_time(notify_db_session: None, send_task: MagicMock) -> None:
    scenario = _mmg_scenario(_with_delivery_status_callback())
    process_sms_receipts("mmg", scenario.receipts)
    first = _outcomes(scenario, send_task)
    updated_at = {role: dao_get_notification_by_id(i).updated_at for role, i in scenario.ids.items()}
    send_task.reset_mock()

    process_sms_receipts("mmg", scenario.receipts)

    assert _outcomes(scenario, send_task) == {
        role: Outcome(o.status, o.sent_by, o.has_sent_at, o.status_events, callback_queued=False)
        for role, o in first.items()
    }
    assert {role: dao_get_notification_by_id(i).updated_at for role, i in scenario.ids.items()} == updated_at
    assert send_task.call_count == 0


@pytest.fixture
def notification_updates() -> Iterator[list[str]]:
    """The UPDATE statements run against notifications while the test runs."""
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE NOTIFICATIONS"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


def test_a_batch_of_distinct_receipts_is_one_statement(
    notify_db_session: None, notification_updates: list[str]
) -> None:
    template = create_template()
    ids = [create_notification(template=template, status=S.SENDING).id for _ in range(20)]
    notification_updates.clear()

    process_sms_receipts("mmg", [mmg_receipt("delivered", CID=str(i)) for i in ids])

    assert len(notification_updates) == 1
    assert {dao_get_notification_by_id(i).status for i in ids} == {S.DELIVERED}


def test_a_batch_longer_than_the_bound_is_applied_in_bounded_statements(
    notify_db_session: None, notification_updates: list[str]
) -> None:
    template = create_template()
    ids = [create_notification(template=template, status=S.SENDING).id for _ in range(MAX_RECEIPT_BATCH + 1)]
    notification_updates.clear()

    process_sms_receipts("mmg", [mmg_receipt("delivered", CID=str(i)) for i in ids])

    assert len(notification_updates) == 2
    assert {dao_get_notification_by_id(i).status for i in ids} == {S.DELIVERED}


@pytest.mark.parametrize(("retries", "countdown"), [(0, 10), (2, 30), (4, 60)], ids=str)
def test_a_ses_event_of_the_batch_that_may_be_early_is_queued_alone_on_the_one_receipt_schedule(
    notify_db_session: None, send_task: MagicMock, retries: int, countdown: int
) -> None:
    notification = create_notification(
        template=create_template(template_type="email"), status=S.SENDING, reference="recorded"
    )
    early = ses_event("delivery", message_id="not-recorded-yet", accepted_at=datetime.now(UTC) - timedelta(seconds=2))

    run_as_retry(process_ses_receipts, retries, [ses_event("delivery", message_id="recorded"), early])

    assert dao_get_notification_by_id(notification.id).status == S.DELIVERED
    assert send_task.call_args_list == [
        call("process_ses_receipt", args=[early], queue="receipts", countdown_seconds=countdown, retries=retries + 1)
    ]


def test_a_ses_event_of_the_batch_still_early_after_the_last_retry_is_dropped(
    notify_db_session: None, send_task: MagicMock
) -> None:
    early = ses_event("delivery", message_id="never-recorded", accepted_at=datetime.now(UTC) - timedelta(seconds=2))

    run_as_retry(process_ses_receipts, 5, [early])

    assert send_task.call_count == 0


def test_a_database_error_retries_the_batch_with_the_receipts_not_applied_yet(notify_db_session: None) -> None:
    template = create_template()
    ids = [create_notification(template=template, status=S.SENDING).id for _ in range(MAX_RECEIPT_BATCH + 1)]
    receipts = [mmg_receipt("delivered", CID=str(i)) for i in ids]
    statements = 0

    def fail_the_second_batch(conn: object, cursor: object, statement: str, *args: object) -> None:
        nonlocal statements
        if statement.lstrip().upper().startswith("UPDATE NOTIFICATIONS"):
            statements += 1
            if statements == 2:
                terminate_session_connection()

    event.listen(db.engine, "before_cursor_execute", fail_the_second_batch)
    try:
        with patch.object(process_sms_receipts, "retry", side_effect=Retry()) as retry, pytest.raises(Retry):
            process_sms_receipts("mmg", receipts)
    finally:
        event.remove(db.engine, "before_cursor_execute", fail_the_second_batch)
        db.session.rollback()

    assert retry.call_args.kwargs["args"] == ["mmg", receipts[MAX_RECEIPT_BATCH:]]
    assert (retry.call_args.kwargs["countdown"], retry.call_args.kwargs["queue"]) == (10, "receipts")
    assert dao_get_notification_by_id(ids[0]).status == S.DELIVERED
    assert dao_get_notification_by_id(ids[-1]).status == S.SENDING
