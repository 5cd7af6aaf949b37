"""SES events applied to real notifications: deliveries, bounces, complaints, duplicates and unknown references."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from unittest.mock import MagicMock

import pytest
from sqlalchemy import select

from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.models import Complaint, Notification
from app.notification_status import NotificationStatus
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError
from app.receipts.ses_receipts import process_ses_receipt
from tests.factories import create_notification, create_template
from tests.receipts.payloads import ses_event

S = NotificationStatus


def _sent_email(status: str = S.SENDING, *, with_complaint_callback: bool = False) -> Notification:
    template = create_template(template_type="email")
    if with_complaint_callback:
        dao_save_service_callback(
            template.service_id, callback_type="complaint", url="https://example.com/cb", bearer_token="token-12345"
        )
    return create_notification(template=template, status=status, reference=f"ses-{uuid.uuid4()}")


def _complaints() -> list[Complaint]:
    return list(db.session.execute(select(Complaint)).scalars())


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("delivery", S.DELIVERED), ("bounce_permanent", S.PERMANENT_FAILURE), ("bounce_transient", S.TEMPORARY_FAILURE)],
    ids=["delivery", "permanent-bounce", "transient-bounce"],
)
def test_ses_event_moves_the_notification_with_that_reference_to(
    notify_db_session: None, fixture: str, expected: S
) -> None:
    notification = _sent_email()

    process_ses_receipt(ses_event(fixture, message_id=notification.reference))

    assert dao_get_notification_status_by_id(notification.id) == expected


def test_ses_bounce_after_delivery_changes_nothing(notify_db_session: None) -> None:
    notification = _sent_email()
    process_ses_receipt(ses_event("delivery", message_id=notification.reference))

    process_ses_receipt(ses_event("bounce_permanent", message_id=notification.reference))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_ses_complaint_is_stored_and_leaves_the_status_alone(notify_db_session: None) -> None:
    notification = _sent_email(S.DELIVERED)

    process_ses_receipt(ses_event("complaint", message_id=notification.reference))

    [complaint] = _complaints()
    assert (
        complaint.notification_id,
        complaint.service_id,
        complaint.ses_feedback_id,
        complaint.complaint_type,
        complaint.complaint_date,
    ) == (
        notification.id,
        notification.service_id,
        "ses_feedback_id_1",
        "abuse",
        datetime(2026, 11, 20, 13, 59, 58, tzinfo=UTC),
    )
    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_ses_complaint_sent_twice_is_stored_once(notify_db_session: None) -> None:
    notification = _sent_email(S.DELIVERED)
    process_ses_receipt(ses_event("complaint", message_id=notification.reference))

    process_ses_receipt(ses_event("complaint", message_id=notification.reference))

    assert len(_complaints()) == 1


def test_ses_complaint_queues_the_complaint_callback_once(notify_db_session: None, send_task: MagicMock) -> None:
    notification = _sent_email(S.DELIVERED, with_complaint_callback=True)

    process_ses_receipt(ses_event("complaint", message_id=notification.reference))
    process_ses_receipt(ses_event("complaint", message_id=notification.reference))

    [complaint] = _complaints()
    send_task.assert_called_once_with("send_complaint_to_service", args=[str(complaint.id)], queue="callbacks")


def test_ses_event_for_an_unknown_reference_is_worth_a_retry(notify_db_session: None) -> None:
    with pytest.raises(ReceiptForUnknownNotificationError) as raised:
        process_ses_receipt(ses_event("delivery", message_id="not-committed-yet"))

    assert (raised.value.provider, raised.value.reference) == ("ses", "not-committed-yet")


def test_ses_event_without_a_message_id_is_invalid(notify_db_session: None) -> None:
    with pytest.raises(InvalidReceiptError):
        process_ses_receipt({"notificationType": "Delivery", "mail": {}})


def test_ses_event_type_without_a_status_is_ignored(notify_db_session: None) -> None:
    notification = _sent_email()

    process_ses_receipt({"eventType": "DeliveryDelay", "mail": {"messageId": notification.reference}})

    assert dao_get_notification_status_by_id(notification.id) == S.SENDING
