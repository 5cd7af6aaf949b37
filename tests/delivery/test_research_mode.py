"""Simulated receipts for test keys: queued for the real receipt tasks, and understood by them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from unittest.mock import MagicMock

import pytest

from app.celery.process_receipt_tasks import process_ses_receipt, process_sms_receipt
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.delivery.research_mode import (
    enqueue_simulated_ses_receipt,
    enqueue_simulated_sms_receipt,
    simulated_ses_event,
    simulated_sms_receipt,
)
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_template

S = NotificationStatus
NOW = datetime(2026, 11, 23, 12, 0, 5, 123000, tzinfo=UTC)

OUTCOMES = [S.DELIVERED, S.TEMPORARY_FAILURE, S.PERMANENT_FAILURE]


@pytest.mark.parametrize("provider", ["mmg", "firetext"])
@pytest.mark.parametrize("outcome", OUTCOMES, ids=str)
def test_the_sms_receipt_task_gives_the_simulated_outcome(notify_db_session: None, provider: str, outcome: S) -> None:
    notification = create_notification(status=S.SENDING, sent_by=provider)

    process_sms_receipt(provider, simulated_sms_receipt(provider, notification.id, outcome, NOW))

    assert dao_get_notification_status_by_id(notification.id) == outcome


@pytest.mark.parametrize("outcome", OUTCOMES, ids=str)
def test_the_ses_receipt_task_gives_the_simulated_outcome(notify_db_session: None, outcome: S) -> None:
    notification = create_notification(
        template=create_template(template_type="email"), status=S.SENDING, reference="simulated-ses-1"
    )

    process_ses_receipt(simulated_ses_event("simulated-ses-1", outcome, NOW))

    assert dao_get_notification_status_by_id(notification.id) == outcome


def test_a_simulated_mmg_receipt_has_mmgs_fields_and_no_phone_number() -> None:
    notification_id = uuid.uuid4()

    receipt = simulated_sms_receipt("mmg", notification_id, S.DELIVERED, NOW)

    assert set(receipt) == {"CID", "status", "substatus", "reference", "deliverytime"}
    assert (receipt["CID"], receipt["status"], receipt["deliverytime"]) == (
        str(notification_id),
        "3",
        "2026-11-23 12:00:05",
    )


def test_a_simulated_ses_bounce_looks_like_the_ses_event() -> None:
    event = simulated_ses_event("ses-message-1", S.PERMANENT_FAILURE, NOW)

    assert (event["notificationType"], event["mail"], event["bounce"]["bounceType"]) == (
        "Bounce",
        {"messageId": "ses-message-1", "timestamp": "2026-11-23T12:00:05.123Z"},
        "Permanent",
    )


@pytest.mark.parametrize(
    ("recipient", "status"),
    [("07700900123", "3"), ("07700900003", "4"), ("+447700900002", "5")],
    ids=["delivered", "temporary failure", "permanent failure"],
)
def test_the_sms_receipt_is_queued_for_the_receipt_task(
    notify_db_session: None, send_task: MagicMock, recipient: str, status: str
) -> None:
    notification_id = uuid.uuid4()

    enqueue_simulated_sms_receipt("mmg", notification_id, recipient)

    ((task_name,), keywords) = send_task.call_args
    (provider, receipt) = keywords["args"]
    assert (task_name, keywords["queue"], provider, receipt["CID"], receipt["status"]) == (
        "process_sms_receipt",
        "receipts",
        "mmg",
        str(notification_id),
        status,
    )


@pytest.mark.parametrize(
    ("recipient", "event_type", "bounce_type"),
    [
        ("someone@example.com", "Delivery", None),
        ("temp-fail@simulator.notify", "Bounce", "Transient"),
        ("perm-fail@simulator.notify", "Bounce", "Permanent"),
    ],
    ids=["delivered", "temporary failure", "permanent failure"],
)
def test_the_ses_event_is_queued_for_the_receipt_task(
    notify_db_session: None, send_task: MagicMock, recipient: str, event_type: str, bounce_type: str | None
) -> None:
    enqueue_simulated_ses_receipt("ses-message-1", recipient)

    ((task_name,), keywords) = send_task.call_args
    (event,) = keywords["args"]
    assert (task_name, keywords["queue"], event["notificationType"], event.get("bounce", {}).get("bounceType")) == (
        "process_ses_receipt",
        "receipts",
        event_type,
        bounce_type,
    )
