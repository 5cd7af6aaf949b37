"""Apply SES events: Delivery and Bounce move the notification's status; a Complaint is stored and passed on."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import NoResultFound

from app.callbacks.complaints import enqueue_complaint_callback
from app.clients.email.address_encoding import UnencodableAddressError, encode_email_address
from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.dao.complaints_dao import dao_create_complaint
from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_by_reference
from app.dao.unanswered_email_dao import dao_record_ses_message_id_of_unanswered_send
from app.models import Notification
from app.receipts.apply_receipt import PlannedReceipt, apply_receipt_batch, apply_receipt_outcome
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError, ReceiptMayBeEarlyError
from app.receipts.outcomes import UnrecognisedProviderStatusError
from app.receipts.ses_events import (
    decide_ses_outcome,
    is_notification_id,
    is_ses_complaint,
    recipient_digest,
    ses_event_type,
)

logger = logging.getLogger(__name__)

# The worker records SES's message id as soon as SES answers, so an event for a message SES accepted (`mail.timestamp`)
# longer ago than this cannot be waiting for that commit: if its id is unknown it is dropped, not retried.
EARLY_EVENT_WINDOW = timedelta(minutes=5)
# How far ahead of our clock SES's `mail.timestamp` may be and still count as recent.
CLOCK_SKEW = timedelta(minutes=1)
# A message id that can be looked up and stored as a reference (varchar(255)): printable ASCII without spaces, as
# SES's are (60 characters); anything else (a NUL, which PostgreSQL refuses, a non-string) makes the event invalid.
MAX_MESSAGE_ID_LENGTH = 255
_MESSAGE_ID = re.compile(r"[!-~]+")


def process_ses_receipt(event: Mapping[str, Any]) -> None:
    """Apply one SES event (as `ses_events.ses_event_for_queue` reduced it), matched by `mail.messageId` =
    notifications.reference, or, when no notification has that reference, by the notification id the email carried in
    a header: only an email handed to SES whose answer never came (see `_unanswered_send_named_by_header`).

    Raises ReceiptMayBeEarlyError (worth a retry: SES accepted the message within EARLY_EVENT_WINDOW),
    ReceiptForUnknownNotificationError (drop it) or InvalidReceiptError. Event types that carry no status
    (DeliveryDelay, Send, ...) are logged and ignored.
    """
    reference = ses_message_id(event)
    if is_ses_complaint(event):
        record_ses_complaint(event, _notification_for_reference(reference, event))
        return
    try:
        outcome = decide_ses_outcome(event)
    except UnrecognisedProviderStatusError:
        logger.warning("SES event of type %s ignored", ses_event_type(event) or "(none)", extra={"provider": "ses"})
        return
    notification = _notification_for_reference(reference, event)
    apply_receipt_outcome(notification.id, lambda _current: outcome, provider="ses", current=notification.status)


def process_ses_receipt_batch(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Apply a batch of SES events (as `ses_events.ses_event_for_queue` reduced them) in one statement, matched by
    `mail.messageId` = notifications.reference (see apply_receipt_batch).

    Returns, in order, the events it did not apply, for process_ses_receipt to apply one by one: complaints, events of
    types that carry no status, malformed ones, and those whose reference matched no notification it could move (the
    one-event path looks for the notification a header names, tells an early event from an unknown one, and logs a
    duplicate or late one).
    """
    return apply_receipt_batch(events, _plan_ses_receipt, provider="ses", match_on="reference")


def _plan_ses_receipt(event: Mapping[str, Any]) -> PlannedReceipt | None:
    if is_ses_complaint(event):
        return None
    try:
        reference = ses_message_id(event)
        outcome = decide_ses_outcome(event)
    except (InvalidReceiptError, UnrecognisedProviderStatusError):
        return None
    return PlannedReceipt(reference, lambda _current: outcome)


def record_ses_complaint(event: Mapping[str, Any], notification: Notification) -> None:
    """Store the complaint once per SES feedback id and queue the service's complaint callback; status unchanged."""
    complaint_fields = event.get("complaint") or {}
    complaint = dao_create_complaint(
        notification_id=notification.id,
        service_id=notification.service_id,
        ses_feedback_id=complaint_fields.get("feedbackId"),
        complaint_type=complaint_fields.get("complaintFeedbackType"),
        complaint_date=_parse_ses_timestamp(complaint_fields.get("timestamp")),
    )
    fields = {"notification_id": notification.id, "service_id": notification.service_id, "provider": "ses"}
    if complaint is None:
        logger.warning("Duplicate SES complaint for notification %s ignored", notification.id, extra=fields)
        return
    logger.info("Complaint %s stored for notification %s", complaint.id, notification.id, extra=fields)
    get_statsd_client().incr("callback.ses.complaint")
    enqueue_complaint_callback(complaint)


def ses_message_id(event: Mapping[str, Any]) -> str:
    message_id = (event.get("mail") or {}).get("messageId")
    if not message_id:
        raise InvalidReceiptError("SES event has no mail.messageId")
    if (
        not isinstance(message_id, str)
        or len(message_id) > MAX_MESSAGE_ID_LENGTH
        or not _MESSAGE_ID.fullmatch(message_id)
    ):
        raise InvalidReceiptError("SES event's mail.messageId is not a message id")
    return message_id


def _notification_for_reference(reference: str, event: Mapping[str, Any]) -> Notification:
    try:
        return dao_get_notification_by_reference(reference)
    except NoResultFound as error:
        named = _unanswered_send_named_by_header(reference, event)
        if named is not None:
            return named
        if _is_recently_accepted(event):
            raise ReceiptMayBeEarlyError("ses", reference) from error
        raise ReceiptForUnknownNotificationError("ses", reference) from error


def _unanswered_send_named_by_header(message_id: str, event: Mapping[str, Any]) -> Notification | None:
    """The notification the event's header names, with ``message_id`` now recorded as its reference, when it is an
    email to one of the event's recipients that was handed to SES and got no answer: `sending`, or waiting in
    `created` for a receipt (`delivery/claims.py`). None otherwise: then the event is treated as before."""
    mail = event.get("mail") or {}
    notification_id = mail.get("heraldNotificationId")
    digests = mail.get("destinationDigests")
    if not is_notification_id(notification_id) or not isinstance(digests, list):
        return None
    try:
        notification = dao_get_notification_by_id(notification_id)
    except NoResultFound:
        return None
    if not _went_to_one_of(notification, digests):
        return None
    status = dao_record_ses_message_id_of_unanswered_send(notification.id, message_id=message_id)
    if status is None:
        return None
    logger.info(
        "SES event for an unanswered send matched to notification %s by its header",
        notification.id,
        extra={"notification_id": notification.id, "service_id": notification.service_id, "provider": "ses"},
    )
    return dao_get_notification_by_id(notification.id)  # as the write left it: its status and reference


def _went_to_one_of(notification: Notification, digests: list[Any]) -> bool:
    """Whether the notification's recipient, as it was handed to SES, is among the event's recipients' digests."""
    try:
        address = encode_email_address(notification.to)
    except UnencodableAddressError:
        return False
    return recipient_digest(address, current_app.config["SECRET_KEY"]) in digests


def _is_recently_accepted(event: Mapping[str, Any]) -> bool:
    """Whether SES accepted the event's message within EARLY_EVENT_WINDOW (False when the event does not say)."""
    accepted_at = _parse_ses_timestamp((event.get("mail") or {}).get("timestamp"))
    if accepted_at is None or accepted_at.tzinfo is None:
        return False
    return -CLOCK_SKEW <= utc_now() - accepted_at <= EARLY_EVENT_WINDOW


def _parse_ses_timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
