"""Firetext receipt codes and the status each gives (SPEC §6, notify-reference §4.1)."""

from __future__ import annotations

import logging

from app.notification_status import NotificationStatus
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

logger = logging.getLogger(__name__)

FIRETEXT_STATUSES: dict[str, NotificationStatus] = {
    "0": NotificationStatus.DELIVERED,
    "1": NotificationStatus.PERMANENT_FAILURE,
    "2": NotificationStatus.PENDING,
}

# The detailed `code` Firetext sends with status 1 ("declined"); it decides between permanent and temporary.
FIRETEXT_DETAILED_CODES: dict[str, ReceiptOutcome] = {
    "000": ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, "No error reported"),
    "101": ReceiptOutcome(NotificationStatus.PERMANENT_FAILURE, "Unknown Subscriber"),
    "102": ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, "Absent Subscriber"),
    "103": ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, "Subscriber Busy"),
    "104": ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, "No Subscriber Memory"),
    "201": ReceiptOutcome(NotificationStatus.PERMANENT_FAILURE, "Invalid Number"),
    "301": ReceiptOutcome(NotificationStatus.PERMANENT_FAILURE, "SMS Not Supported"),
    "302": ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, "SMS Not Supported"),
    "401": ReceiptOutcome(NotificationStatus.PERMANENT_FAILURE, "Message Rejected"),
    "900": ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE, "Routing Error"),
}


def decide_firetext_outcome(status: str, code: str | None, *, current_status: str) -> ReceiptOutcome:
    """Map a Firetext receipt to a status, given the notification's status now.

    Status 1 ("declined") is decided by its detailed code when we know the code. Without one, Firetext has no way
    to say "temporary", so a decline after `pending` (the network tried) is a temporary failure and a decline
    straight from `sending` is permanent. Raises UnrecognisedProviderStatusError for a status not in the map.
    """
    try:
        mapped = FIRETEXT_STATUSES[status]
    except KeyError as error:
        raise UnrecognisedProviderStatusError("Firetext", status) from error
    if mapped is not NotificationStatus.PERMANENT_FAILURE:
        return ReceiptOutcome(mapped)
    if code:
        detailed = FIRETEXT_DETAILED_CODES.get(code)
        if detailed is not None:
            return detailed
        logger.warning("Firetext failure code %s not recognised", code, extra={"provider": "firetext"})
    if current_status == NotificationStatus.PENDING:
        return ReceiptOutcome(NotificationStatus.TEMPORARY_FAILURE)
    return ReceiptOutcome(NotificationStatus.PERMANENT_FAILURE)
