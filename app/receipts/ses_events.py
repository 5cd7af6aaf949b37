"""SES event types (Delivery, Bounce, Complaint) and the status each gives (SPEC §6, notify-reference §4.3); what
of an event travels through the receipts queue.

An event names its email by `mail.messageId`, which Herald learns only from SES's answer. Every email Herald sends
also carries its notification id in the NOTIFICATION_ID_HEADER header, which SES repeats in `mail.headers` when the
configuration set's event destination includes the original headers: the queued event keeps that id (when the
header is there exactly once, or repeated with the same value, and is a UUID written as Herald writes it) and keyed
digests of the recipients (`mail.destination`), so an event whose message id is unknown (the answer was lost) can
still find its notification, and only when it went to that notification's recipient (`ses_receipts.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from app.clients.email.aws_ses import NOTIFICATION_ID_HEADER
from app.notification_status import NotificationStatus
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

SES_DELIVERY = "Delivery"
SES_BOUNCE = "Bounce"
SES_COMPLAINT = "Complaint"
PERMANENT_BOUNCE_TYPE = "Permanent"
# Bounds on what is read of an event (SNS signed it, but it is still read as hostile input).
MAX_HEADERS_READ = 100
MAX_DESTINATIONS_READ = 50
MAX_ADDRESS_LENGTH = 320
_HEADER_NAME = NOTIFICATION_ID_HEADER.lower()
# A UUID as Python's str(uuid) writes it: lower-case hex, hyphenated.
_NOTIFICATION_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NOTIFICATION_ID_LENGTH = 36


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


def ses_event_for_queue(event: Mapping[str, Any], *, digest_key: str) -> dict[str, Any]:
    """Keep what processing needs: no recipients, headers or subjects travel through the queue (or its logs), only
    the notification id header's value and the recipients' digests keyed with ``digest_key`` (see the module)."""
    mail = event.get("mail") or {}
    reduced_mail: dict[str, Any] = {"messageId": mail.get("messageId"), "timestamp": mail.get("timestamp")}
    notification_id = notification_id_from_headers(mail.get("headers"))
    if notification_id is not None:
        reduced_mail["heraldNotificationId"] = notification_id
        reduced_mail["destinationDigests"] = _destination_digests(mail.get("destination"), digest_key)
    reduced: dict[str, Any] = {"notificationType": ses_event_type(event), "mail": reduced_mail}
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


def notification_id_from_headers(headers: Any) -> str | None:
    """The value of the NOTIFICATION_ID_HEADER header among the first MAX_HEADERS_READ of SES's `mail.headers`
    (a list of {"name", "value"}); None when it is absent, malformed, or given twice with different values."""
    if not isinstance(headers, list):
        return None
    found: set[str] = set()
    for header in headers[:MAX_HEADERS_READ]:
        name = header.get("name") if isinstance(header, dict) else None
        if not isinstance(name, str) or len(name) != len(_HEADER_NAME) or name.lower() != _HEADER_NAME:
            continue
        value = header.get("value")
        if not is_notification_id(value):
            return None
        found.add(value)
    return found.pop() if len(found) == 1 else None


def is_notification_id(value: Any) -> TypeGuard[str]:
    """Whether ``value`` is a notification id as Herald writes it in the header (length checked before the match)."""
    return (
        isinstance(value, str)
        and len(value) == _NOTIFICATION_ID_LENGTH
        and _NOTIFICATION_ID.fullmatch(value) is not None
    )


def recipient_digest(address: str, key: str) -> str:
    """A keyed digest of an address as SES lists it in `mail.destination` (case ignored): comparable, not readable."""
    return hmac.new(key.encode(), address.strip().lower().encode(), hashlib.sha256).hexdigest()


def _destination_digests(destination: Any, key: str) -> list[str]:
    if not isinstance(destination, list):
        return []
    return [
        recipient_digest(address, key)
        for address in destination[:MAX_DESTINATIONS_READ]
        if isinstance(address, str) and len(address) <= MAX_ADDRESS_LENGTH
    ]
