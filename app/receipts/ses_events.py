"""SES event types (Delivery, Bounce, Complaint) and the status each gives (SPEC §6, notify-reference §4.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.notification_status import NotificationStatus
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

SES_DELIVERY = "Delivery"
SES_BOUNCE = "Bounce"
SES_COMPLAINT = "Complaint"
PERMANENT_BOUNCE_TYPE = "Permanent"


def ses_event_type(event: Mapping[str, Any]) -> str:
    # SES event publishing spells it eventType; SNS notifications from an identity spell it notificationType.
    return str(event.get("notificationType") or event.get("eventType") or "")


def is_ses_complaint(event: Mapping[str, Any]) -> bool:
    """A complaint is stored and passed on to the service; it never changes the notification's status."""
    return ses_event_type(event) == SES_COMPLAINT


def decide_ses_outcome(event: Mapping[str, Any]) -> ReceiptOutcome:
    """Map a SES Delivery or Bounce event to a status; raises UnrecognisedProviderStatusError for any other type."""
    event_type = ses_event_type(event)
    if event_type == SES_DELIVERY:
        return ReceiptOutcome(NotificationStatus.DELIVERED)
    if event_type == SES_BOUNCE:
        bounce = event.get("bounce") or {}
        reason = f"{bounce.get('bounceType')}: {bounce.get('bounceSubType')}"
        if bounce.get("bounceType") == PERMANENT_BOUNCE_TYPE:
            return ReceiptOutcome(NotificationStatus.PERMANENT_FAILURE, reason)
        # Transient and Undetermined bounces: the address may work another day.
        return ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, reason)
    raise UnrecognisedProviderStatusError("SES", event_type or "(none)")


def ses_event_for_queue(event: Mapping[str, Any]) -> dict[str, Any]:
    """Keep what processing needs: no recipients, headers or subjects travel through the queue (or its logs)."""
    mail = event.get("mail") or {}
    reduced: dict[str, Any] = {
        "notificationType": ses_event_type(event),
        "mail": {"messageId": mail.get("messageId"), "timestamp": mail.get("timestamp")},
    }
    bounce = event.get("bounce")
    if bounce:
        reduced["bounce"] = {key: bounce.get(key) for key in ("bounceType", "bounceSubType", "feedbackId", "timestamp")}
    complaint = event.get("complaint")
    if complaint:
        reduced["complaint"] = {key: complaint.get(key) for key in ("complaintFeedbackType", "feedbackId", "timestamp")}
    delivery = event.get("delivery")
    if delivery:
        reduced["delivery"] = {key: delivery.get(key) for key in ("timestamp", "processingTimeMillis")}
    return reduced
