"""SES events applied to real notifications: deliveries, bounces, complaints, duplicates and unknown references."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import MagicMock

import pytest
from flask import current_app
from sqlalchemy import select, update

from app.clock import utc_now
from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_status_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.models import Complaint, Notification
from app.notification_status import NotificationStatus
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError, ReceiptMayBeEarlyError
from app.receipts.ses_events import ses_event_for_queue
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


# An email whose SES answer was lost: SES's event names a message id Herald never learned, and the email's header.
LOST_MESSAGE_ID = "0102019b0c7b7a2b-11111111-2222-4333-8444-555555555555-000000"


def _unanswered_email(
    status: str = S.CREATED, *, to: str = "recipient@example.com", sent_by: str | None = "ses", waiting: bool = True
) -> Notification:
    """An email whose send got no answer: handed back to wait for SES's receipt (`created`), or still `sending`."""
    notification = create_notification(
        template=create_template(template_type="email"), to=to, status=status, sent_by=sent_by
    )
    if waiting:
        db.session.execute(
            update(Notification)
            .where(Notification.id == notification.id)
            .values(receipt_wait_until=utc_now() + timedelta(minutes=1))
        )
        db.session.commit()
    return notification


def _queued_event_naming(
    header_value: Any,
    *,
    kind: str = "delivery",
    destination: str = "recipient@example.com",
    accepted_at: datetime | None = None,
) -> dict[str, Any]:
    """The SES event as the endpoint queues it, for LOST_MESSAGE_ID, carrying the notification id header."""
    event = ses_event(kind, message_id=LOST_MESSAGE_ID, accepted_at=accepted_at)
    event["mail"]["destination"] = [destination]
    event["mail"]["headers"].append({"name": "X-Herald-Notification-Id", "value": header_value})
    return ses_event_for_queue(event, digest_key=current_app_secret())


def current_app_secret() -> str:
    secret: str = current_app.config["SECRET_KEY"]
    return secret


@pytest.mark.parametrize("status", [S.CREATED, S.SENDING], ids=["awaiting-its-receipt", "still-sending"])
def test_ses_event_for_a_lost_answer_is_applied_by_the_notification_id_header(
    notify_db_session: None, status: str
) -> None:
    notification = _unanswered_email(status, waiting=status == S.CREATED)

    process_ses_receipt(_queued_event_naming(str(notification.id)))

    applied = dao_get_notification_by_id(notification.id)
    assert (applied.status, applied.reference, applied.sent_by) == (S.DELIVERED, LOST_MESSAGE_ID, "ses")


def test_ses_events_after_one_matched_by_header_find_the_notification_by_its_message_id(
    notify_db_session: None,
) -> None:
    notification = _unanswered_email()
    process_ses_receipt(_queued_event_naming(str(notification.id), kind="bounce_transient"))

    process_ses_receipt(ses_event("complaint", message_id=LOST_MESSAGE_ID))

    assert dao_get_notification_status_by_id(notification.id) == S.TEMPORARY_FAILURE
    assert [complaint.notification_id for complaint in _complaints()] == [notification.id]


def test_a_recipient_that_differs_only_in_case_still_matches(notify_db_session: None) -> None:
    notification = _unanswered_email(to="Recipient@Example.com")

    process_ses_receipt(_queued_event_naming(str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


@pytest.mark.parametrize(
    "header_value",
    [None, "not-a-notification-id", "{id}\n", "{upper}", "{id} ", "{other}"],
    ids=["absent", "not-an-id", "trailing-newline", "upper-case", "trailing-space", "unknown-notification"],
)
def test_ses_event_with_an_unknown_message_id_and_a_bad_header_is_dropped_as_before(
    notify_db_session: None, header_value: str | None
) -> None:
    notification = _unanswered_email()
    value = header_value and header_value.format(
        id=notification.id, upper=str(notification.id).upper(), other=uuid.uuid4()
    )
    event = (
        _queued_event_naming(value)
        if value
        else ses_event_for_queue(ses_event("delivery", message_id=LOST_MESSAGE_ID), digest_key=current_app_secret())
    )

    with pytest.raises(ReceiptForUnknownNotificationError):
        process_ses_receipt(event)

    unchanged = dao_get_notification_by_id(notification.id)
    assert (unchanged.status, unchanged.reference) == (S.CREATED, None)


def test_a_recent_ses_event_with_a_bad_header_is_still_worth_a_retry(notify_db_session: None) -> None:
    notification = _unanswered_email()

    with pytest.raises(ReceiptMayBeEarlyError):
        process_ses_receipt(_queued_event_naming("not-a-notification-id", accepted_at=datetime.now(UTC)))

    assert dao_get_notification_status_by_id(notification.id) == S.CREATED


def test_a_header_naming_another_services_notification_is_not_applied(notify_db_session: None) -> None:
    """The event is for an email of one service (to its recipient); the header names another service's email."""
    own = _unanswered_email(to="recipient@example.com")
    other = _unanswered_email(to="someone.else@example.com")
    assert own.service_id != other.service_id

    with pytest.raises(ReceiptForUnknownNotificationError):
        process_ses_receipt(_queued_event_naming(str(other.id), destination="recipient@example.com"))

    assert [dao_get_notification_by_id(n.id).reference for n in (own, other)] == [None, None]
    assert dao_get_notification_status_by_id(other.id) == S.CREATED


def test_digests_made_with_another_key_match_nothing(notify_db_session: None) -> None:
    notification = _unanswered_email()
    event = ses_event("delivery", message_id=LOST_MESSAGE_ID)
    event["mail"]["headers"].append({"name": "X-Herald-Notification-Id", "value": str(notification.id)})

    with pytest.raises(ReceiptForUnknownNotificationError):
        process_ses_receipt(ses_event_for_queue(event, digest_key="not-this-apps-secret"))

    assert dao_get_notification_status_by_id(notification.id) == S.CREATED


@pytest.mark.parametrize(
    "make",
    [
        lambda: create_notification(
            template=create_template(template_type="sms"), to="recipient@example.com", status=S.SENDING, sent_by="mmg"
        ),
        lambda: _unanswered_email(sent_by="ses-elsewhere"),
        lambda: _unanswered_email(sent_by=None),
        lambda: _unanswered_email(waiting=False),
        lambda: _unanswered_email(S.DELIVERED, waiting=False),
        lambda: _unanswered_email(S.PENDING, waiting=False),
    ],
    ids=["sms-notification", "another-provider", "never-claimed", "created-not-awaiting-a-receipt", "final", "pending"],
)
def test_a_header_naming_a_notification_that_is_not_an_unanswered_ses_send_is_not_applied(
    notify_db_session: None, make: Any
) -> None:
    notification = make()
    before = dao_get_notification_status_by_id(notification.id)

    with pytest.raises(ReceiptForUnknownNotificationError):
        process_ses_receipt(_queued_event_naming(str(notification.id)))

    after = dao_get_notification_by_id(notification.id)
    assert (after.status, after.reference) == (before, None)


def test_a_header_naming_an_email_whose_answer_was_recorded_leaves_its_reference_alone(notify_db_session: None) -> None:
    """The first send's answer was lost, the retry's came: the first send's events are not taken for the retry's."""
    notification = create_notification(
        template=create_template(template_type="email"),
        to="recipient@example.com",
        status=S.SENDING,
        sent_by="ses",
        sent_at=utc_now(),
        reference="ses-answer-of-the-retry",
    )

    with pytest.raises(ReceiptForUnknownNotificationError):
        process_ses_receipt(_queued_event_naming(str(notification.id)))

    after = dao_get_notification_by_id(notification.id)
    assert (after.status, after.reference) == (S.SENDING, "ses-answer-of-the-retry")


@pytest.mark.parametrize(
    "message_id",
    ["x" * 256, "has space", "nul\x00byte", "new\nline", 12345, ["a"], {"a": 1}],
    ids=["too-long", "space", "nul", "newline", "number", "list", "object"],
)
def test_a_message_id_that_cannot_be_a_reference_makes_the_event_invalid(
    notify_db_session: None, message_id: Any
) -> None:
    notification = _unanswered_email()
    event = _queued_event_naming(str(notification.id))
    event["mail"]["messageId"] = message_id

    with pytest.raises(InvalidReceiptError):
        process_ses_receipt(event)

    unchanged = dao_get_notification_by_id(notification.id)
    assert (unchanged.status, unchanged.reference) == (S.CREATED, None)


def test_a_message_id_of_the_longest_storable_length_is_matched(notify_db_session: None) -> None:
    notification = _unanswered_email()
    event = _queued_event_naming(str(notification.id))
    event["mail"]["messageId"] = "m" * 255

    process_ses_receipt(event)

    assert dao_get_notification_by_id(notification.id).reference == "m" * 255
