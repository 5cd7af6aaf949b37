"""Apply a receipt's outcome through the status machine, then tell the metrics and the service about it.

Each applied receipt counts `callback.<provider>.<status>`; a final one also times `callback.<provider>.elapsed-time`,
from handing the notification to the provider (sent_at) to applying the receipt. Duplicate and late receipts change
nothing and count nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from app.callbacks.delivery_status import enqueue_delivery_status_callback
from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.dao.notifications_dao import dao_get_notification_status_by_id, dao_update_notification_status_by_id
from app.models import Notification
from app.notification_status import RECEIPT_UPDATABLE_STATUSES, NotificationStatus, is_final, is_transition_allowed
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

logger = logging.getLogger(__name__)

# created -> sending -> pending -> final: a receipt can lose the compare-and-set at most twice to a status that it
# may still update from.
_MAX_ATTEMPTS = 3

Decide = Callable[[str], ReceiptOutcome]


def apply_receipt_outcome(notification: Notification, decide: Decide, *, provider: str) -> Notification | None:
    """Move ``notification`` to the status ``decide`` gives for its current status; changes nothing once it is final.

    ``decide`` sees the status the UPDATE is guarded on (compare-and-set), so a rule such as Firetext's "declined after
    pending is temporary" always judges the status it replaces. Returns the updated notification, or None for a
    duplicate or late receipt (logged as a warning).
    """
    decide = _technical_failure_when_unrecognised(decide, provider=provider, notification=notification)
    current = notification.status
    for _ in range(_MAX_ATTEMPTS):
        if current not in RECEIPT_UPDATABLE_STATUSES:
            break
        outcome = decide(current)
        if not is_transition_allowed(current, outcome.status):
            break  # e.g. a second `pending`: nothing to write
        updated = dao_update_notification_status_by_id(notification.id, outcome.status, only_from=[current])
        if updated is not None:
            _after_status_change(updated, previous=current, outcome=outcome, provider=provider)
            return updated
        current = dao_get_notification_status_by_id(notification.id)
    logger.warning(
        "Duplicate or late %s receipt for notification %s: it stays %s",
        provider,
        notification.id,
        current,
        extra={"notification_id": notification.id, "provider": provider, "notification_status": current},
    )
    return None


def _technical_failure_when_unrecognised(decide: Decide, *, provider: str, notification: Notification) -> Decide:
    def decide_or_fail(current: str) -> ReceiptOutcome:
        try:
            return decide(current)
        except UnrecognisedProviderStatusError as error:
            logger.error(
                "%s; notification %s becomes technical-failure",
                error,
                notification.id,
                extra={"notification_id": notification.id, "provider": provider},
            )
            return ReceiptOutcome(NotificationStatus.TECHNICAL_FAILURE, str(error))

    return decide_or_fail


def _after_status_change(notification: Notification, *, previous: str, outcome: ReceiptOutcome, provider: str) -> None:
    logger.info(
        "%s receipt moved notification %s from %s to %s (%s)",
        provider,
        notification.id,
        previous,
        outcome.status,
        outcome.reason or "no reason given",
        extra={
            "notification_id": notification.id,
            "service_id": notification.service_id,
            "provider": provider,
            "notification_status": outcome.status,
        },
    )
    _count_receipt(notification, status=outcome.status, provider=provider)
    if is_final(outcome.status):
        enqueue_delivery_status_callback(notification)


def _count_receipt(notification: Notification, *, status: str, provider: str) -> None:
    statsd = get_statsd_client()
    statsd.incr(f"callback.{provider}.{status}")
    if is_final(status) and notification.sent_at is not None:
        statsd.timing_with_dates(f"callback.{provider}.elapsed-time", utc_now(), notification.sent_at)
