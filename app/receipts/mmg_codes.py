"""MMG receipt statuses and substatuses and the status each gives (SPEC §6, notify-reference §4.2)."""

from __future__ import annotations

from app.notification_status import NotificationStatus
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

MMG_STATUSES: dict[str, NotificationStatus] = {
    "2": NotificationStatus.PERMANENT_FAILURE,
    "3": NotificationStatus.DELIVERED,
    "4": NotificationStatus.TEMPORARY_FAILURE,
    "5": NotificationStatus.PERMANENT_FAILURE,
}

# (status, substatus) -> MMG's reason; it explains the status in logs and never changes it.
MMG_SUBSTATUS_REASONS: dict[tuple[str, str], str] = {
    ("2", "1"): "Number does not exist",
    ("2", "4"): "Rejected by operator",
    ("2", "5"): "Unidentified Subscriber",
    ("2", "9"): "Undelivered",
    ("2", "11"): "Service for Subscriber suspended",
    ("2", "12"): "Illegal equipment",
    ("2", "2049"): "Subscriber IMSI blacklisted",
    ("2", "2050"): "Number blacklisted in do-not-disturb blacklist",
    ("2", "2052"): "Destination number blacklisted",
    ("2", "2053"): "Source address blacklisted",
    ("3", "2"): "Delivered to operator",
    ("3", "5"): "Delivered to handset",
    ("4", "6"): "Absent Subscriber",
    ("4", "8"): "Roaming not allowed",
    ("4", "13"): "SMS Not Supported",
    ("4", "15"): "Expired",
    ("4", "27"): "Absent Subscriber",
    ("4", "29"): "Invalid delivery report",
    ("4", "32"): "Delivery Failure",
    ("5", "6"): "Network out of coverage",
    ("5", "8"): "Incorrect number prefix",
    ("5", "10"): "Number on do-not-disturb service",
    ("5", "11"): "Sender id not registered",
    ("5", "13"): "Sender id blacklisted",
    ("5", "14"): "Destination number blacklisted",
    ("5", "19"): "Routing unavailable",
    ("5", "20"): "Rejected by anti-flooding mechanism",
    ("5", "21"): "System error",
    ("5", "23"): "Duplicate message id",
    ("5", "24"): "Message formatted incorrectly",
    ("5", "25"): "Message too long",
    ("5", "51"): "Missing recipient value",
    ("5", "52"): "Invalid destination",
}


def decide_mmg_outcome(status: str, substatus: str | None) -> ReceiptOutcome:
    """Map an MMG receipt to a status; raises UnrecognisedProviderStatusError for a status not in the map."""
    try:
        mapped = MMG_STATUSES[status]
    except KeyError as error:
        raise UnrecognisedProviderStatusError("MMG", status) from error
    return ReceiptOutcome(mapped, MMG_SUBSTATUS_REASONS.get((status, substatus or "")))
