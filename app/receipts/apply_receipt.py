"""Decide a receipt's outcome for the notification's current status and apply it through `status_changes.py`.

Each applied receipt counts `callback.<provider>.<status>`; a final one also times `callback.<provider>.elapsed-time`,
from handing the notification to the provider (sent_at) to applying the receipt. Duplicate and late receipts change
nothing and count nothing.

A receipt may find the notification `created`: its last send got no answer and its claim was handed back to wait
for this very receipt (`delivery/claims.py`). It is applied as from `sending` when that send recorded the reference
receipts carry, so the retry finds the notification no longer `created` and never sends it again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.models import Notification
from app.notification_status import RECEIPT_UPDATABLE_STATUSES, NotificationStatus, is_receipt_transition_allowed
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError
from app.status_changes import ChangeLog, change_status_by_receipt

logger = logging.getLogger(__name__)

# A receipt's first UPDATE may guess the status wrong; after that it can lose the compare-and-set at most three times
# to a status it may still update from (sending -> created -> sending -> pending -> final).
_MAX_ATTEMPTS = 5

Decide = Callable[[str], ReceiptOutcome]


def apply_receipt_outcome(
    notification_id: uuid.UUID, decide: Decide, *, provider: str, current: str = NotificationStatus.SENDING
) -> Notification | None:
    """Move the notification to the status ``decide`` gives for its current status; changes nothing once it is final.

    ``decide`` sees the status the UPDATE is guarded on (compare-and-set), so a rule such as Firetext's "declined after
    pending is temporary" always judges the status it replaces. ``current`` is the status read with the notification,
    or, by default, the one a receipt almost always finds (`sending`): then the first UPDATE is tried without reading
    the row, and only when it finds another status is the status read. Returns the updated notification, or None for
    a duplicate or late receipt (logged as a warning). Raises NoResultFound when there is no such notification.
    """
    decide = _technical_failure_when_unrecognised(decide)
    for _ in range(_MAX_ATTEMPTS):
        if current not in RECEIPT_UPDATABLE_STATUSES:
            break
        outcome = decide(current)
        if not is_receipt_transition_allowed(current, outcome.status):
            break  # e.g. a second `pending`: nothing to write
        log = _change_log(outcome, notification_id=notification_id, previous=current, provider=provider)
        updated = change_status_by_receipt(notification_id, outcome.status, current=current, provider=provider, log=log)
        if updated is not None:
            return updated
        previous, current = current, dao_get_notification_status_by_id(notification_id)
        if previous == current == NotificationStatus.CREATED:
            break  # `created` with no send that may have been taken: no receipt can be for it yet
    logger.warning(
        "Duplicate or late %s receipt for notification %s: it stays %s",
        provider,
        notification_id,
        current,
        extra={"notification_id": notification_id, "provider": provider, "notification_status": current},
    )
    return None


def _technical_failure_when_unrecognised(decide: Decide) -> Decide:
    """A status code in none of the provider's maps makes the notification `technical-failure` (logged as an error
    once the change is made: a guess at the current status may run ``decide`` for a receipt that changes nothing)."""

    def decide_or_fail(current: str) -> ReceiptOutcome:
        try:
            return decide(current)
        except UnrecognisedProviderStatusError as error:
            return ReceiptOutcome(NotificationStatus.TECHNICAL_FAILURE, str(error))

    return decide_or_fail


def _change_log(outcome: ReceiptOutcome, *, notification_id: uuid.UUID, previous: str, provider: str) -> ChangeLog:
    fields = {"provider": provider}
    if outcome.status == NotificationStatus.TECHNICAL_FAILURE:  # only an unrecognised status code leads here
        return ChangeLog(
            "%s; notification %s is now technical-failure",
            (outcome.reason, notification_id),
            level=logging.ERROR,
            fields=fields,
        )
    return ChangeLog(
        "%s receipt moved notification %s from %s to %s (%s)",
        (provider, notification_id, previous, outcome.status, outcome.reason or "no reason given"),
        fields=fields,
    )
