"""Apply a receipt's outcome through the status machine, then tell the metrics and the service about it.

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

from app.callbacks.delivery_status import enqueue_delivery_status_callback
from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.dao.notification_sending_dao import dao_update_awaiting_notification_status_from_receipt
from app.dao.notifications_dao import dao_get_notification_status_by_id, dao_update_notification_status_by_id
from app.models import Notification
from app.notification_status import (
    RECEIPT_UPDATABLE_STATUSES,
    NotificationStatus,
    is_final,
    is_receipt_transition_allowed,
)
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

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
        updated = _update_status(notification_id, outcome.status, current=current, provider=provider)
        if updated is not None:
            _after_status_change(updated, previous=current, outcome=outcome, provider=provider)
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


def _update_status(
    notification_id: uuid.UUID, status: NotificationStatus, *, current: str, provider: str
) -> Notification | None:
    if current == NotificationStatus.CREATED:
        return dao_update_awaiting_notification_status_from_receipt(
            notification_id, status, provider=provider, received_at=utc_now()
        )
    return dao_update_notification_status_by_id(notification_id, status, only_from=[current])


def _technical_failure_when_unrecognised(decide: Decide) -> Decide:
    """A status code in none of the provider's maps makes the notification `technical-failure` (logged as an error
    once the change is made: a guess at the current status may run ``decide`` for a receipt that changes nothing)."""

    def decide_or_fail(current: str) -> ReceiptOutcome:
        try:
            return decide(current)
        except UnrecognisedProviderStatusError as error:
            return ReceiptOutcome(NotificationStatus.TECHNICAL_FAILURE, str(error))

    return decide_or_fail


def _after_status_change(notification: Notification, *, previous: str, outcome: ReceiptOutcome, provider: str) -> None:
    fields = {
        "notification_id": notification.id,
        "service_id": notification.service_id,
        "provider": provider,
        "notification_status": outcome.status,
    }
    if outcome.status == NotificationStatus.TECHNICAL_FAILURE:  # only an unrecognised status code leads here
        logger.error("%s; notification %s is now technical-failure", outcome.reason, notification.id, extra=fields)
    else:
        logger.info(
            "%s receipt moved notification %s from %s to %s (%s)",
            provider,
            notification.id,
            previous,
            outcome.status,
            outcome.reason or "no reason given",
            extra=fields,
        )
    _count_receipt(notification, status=outcome.status, provider=provider)
    if is_final(outcome.status):
        enqueue_delivery_status_callback(notification)


def _count_receipt(notification: Notification, *, status: str, provider: str) -> None:
    statsd = get_statsd_client()
    statsd.incr(f"callback.{provider}.{status}")
    if is_final(status) and notification.sent_at is not None:
        statsd.timing_with_dates(f"callback.{provider}.elapsed-time", utc_now(), notification.sent_at)
