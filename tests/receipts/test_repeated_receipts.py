"""A provider repeating a receipt cannot inflate statistics: the status changes once, per-status counts stay put."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification
from app.notification_status import NotificationStatus
from app.receipts.ses_receipts import process_ses_receipt
from app.receipts.sms_receipts import process_firetext_receipt, process_mmg_receipt
from tests.factories import create_notification, create_template
from tests.receipts.payloads import firetext_receipt, mmg_receipt, ses_event

S = NotificationStatus


def _counts_by_status() -> dict[str, int]:
    """What a statistics query over the notifications table sees, per status."""
    rows = db.session.execute(select(Notification.status, func.count()).group_by(Notification.status))
    return {status: count for status, count in rows}


def _status_and_updated_at(notification_id: uuid.UUID) -> tuple[str, datetime | None]:
    row = db.session.execute(
        select(Notification.status, Notification.updated_at).where(Notification.id == notification_id)
    ).one()
    status, updated_at = row
    return status, updated_at


def _mmg(notification: Notification) -> None:
    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))


def _firetext(notification: Notification) -> None:
    process_firetext_receipt(firetext_receipt("declined_code101", reference=str(notification.id)))


def _ses(notification: Notification) -> None:
    assert notification.reference is not None
    process_ses_receipt(ses_event("bounce_transient", message_id=notification.reference))


@pytest.mark.parametrize(
    ("template_type", "send_receipt", "expected_status"),
    [("sms", _mmg, S.DELIVERED), ("sms", _firetext, S.PERMANENT_FAILURE), ("email", _ses, S.TEMPORARY_FAILURE)],
    ids=["mmg-delivered", "firetext-declined", "ses-soft-bounce"],
)
def test_same_receipt_three_times_changes_the_status_once_and_leaves_counts_unchanged(
    notify_db_session: None,
    template_type: str,
    send_receipt: Callable[[Notification], None],
    expected_status: S,
) -> None:
    template = create_template(template_type=template_type)
    notification = create_notification(template=template, status=S.SENDING, reference=f"provider-{uuid.uuid4()}")
    for _ in range(3):
        create_notification(template=template, status=S.SENDING)
    send_receipt(notification)
    after_first = (_status_and_updated_at(notification.id), _counts_by_status())

    send_receipt(notification)
    send_receipt(notification)

    assert (_status_and_updated_at(notification.id), _counts_by_status()) == after_first
    assert after_first[1] == {S.SENDING: 3, expected_status: 1}
