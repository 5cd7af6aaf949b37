"""Every change of a notification's status, in one place: the guarded write, its log line, its metrics, and the
service's delivery-status callback when the new status is final.

Every change made here is counted as `notifications.<notification type>.<status>` (the claim protocol's
`created <-> sending` moves are not: `tasks.deliver_*` and `clients.*` count those), so technical and temporary
failures can be alerted on whatever caused them.

The guard is the status machine's (`notification_status.py`), written into the UPDATE's WHERE clause by
`dao/notification_status_dao.py`, so of two racing writers at most one changes the row, and only that one logs,
counts and queues the callback. A change that is refused does none of these: the caller decides whether that is
worth a word (a duplicate receipt is). The claim protocol (`delivery/claims.py`) moves `created <-> sending` through
the same guard; no other module calls the DAO's status writers (tests/test_status_writers.py).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from app.callbacks.delivery_status import ChangedNotification, enqueue_delivery_status_callback
from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.dao.notification_status_dao import (
    AppliedReceiptMove,
    ReceiptKey,
    ReceiptMove,
    dao_apply_receipt_moves,
    dao_cancel_letters_of_job,
    dao_fail_unsent_notifications,
    dao_timeout_sending_notifications,
    dao_update_awaiting_notification_status_from_receipt,
    dao_update_notification_status_by_id,
    dao_update_notification_status_by_receipt,
)
from app.models import Notification
from app.notification_status import NotificationStatus, is_final

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChangeLog:
    """The line logged once a change is made: a %-style ``message`` with ``args``, at ``level``, with ``fields``
    added to (and overriding) the standard `notification_id`, `service_id` and `notification_status`."""

    message: str
    args: tuple[object, ...] = ()
    level: int = logging.INFO
    fields: Mapping[str, object] = field(default_factory=dict)


def change_status(
    notification_id: uuid.UUID | str,
    status: NotificationStatus,
    *,
    only_from: Collection[str] | None = None,
    log: ChangeLog,
    **values: Any,
) -> Notification | None:
    """Move the notification to ``status`` when the status machine allows it from its current status (narrowed to
    ``only_from``), also writing ``values``; then log ``log``, and queue the delivery-status callback when ``status``
    is final. Returns the updated row, or None when the guard refused (nothing logged, counted or queued)."""
    updated = dao_update_notification_status_by_id(notification_id, status, only_from=only_from, **values)
    if updated is not None:
        _after_change(updated, log)
    return updated


def change_status_by_receipt(
    notification_id: uuid.UUID, status: NotificationStatus, *, current: str, provider: str, log: ChangeLog
) -> Notification | None:
    """Apply a ``provider`` receipt's ``status`` to a notification the caller saw in ``current`` (compare-and-set:
    refused when it is no longer in ``current``). From `created` only when its last send may have been taken and
    recorded the reference receipts carry; the provider is then recorded as its sender, and now as its `sent_at`.

    Besides what change_status does, counts `callback.<provider>.<status>` and, for a final status, times
    `callback.<provider>.elapsed-time` from `sent_at`. Returns the updated row, or None when refused.
    """
    if current == NotificationStatus.CREATED:
        updated = dao_update_awaiting_notification_status_from_receipt(
            notification_id, status, provider=provider, received_at=utc_now()
        )
    else:
        updated = dao_update_notification_status_by_id(notification_id, status, only_from=[current])
    if updated is not None:
        _after_change(updated, log, metric_prefix=f"callback.{provider}")
    return updated


def apply_status_by_receipt(
    notification_id: uuid.UUID, status: NotificationStatus, *, current: str, provider: str, log: ChangeLog
) -> bool:
    """change_status_by_receipt for callers that need no row back (the receipt endpoints and tasks): from a status
    other than `created` the UPDATE returns only what the log, metrics and callback read, which saves the receipt's
    request some 40% of its CPU. Logs, counts and queues exactly as change_status_by_receipt. Returns whether the
    status changed."""
    if current == NotificationStatus.CREATED:
        changed = change_status_by_receipt(notification_id, status, current=current, provider=provider, log=log)
        return changed is not None
    updated = dao_update_notification_status_by_receipt(notification_id, status, current=current)
    if updated is not None:
        _after_change(updated, log, metric_prefix=f"callback.{provider}")
    return updated is not None


def change_statuses_by_receipts(
    moves: Sequence[ReceiptMove],
    log_for: Callable[[AppliedReceiptMove], ChangeLog],
    *,
    match_on: ReceiptKey,
    provider: str,
) -> list[AppliedReceiptMove]:
    """Apply many ``provider`` receipts in one statement, each a compare-and-set as in change_status_by_receipt (one
    move per status its notification may be found in; at most one receipt per notification). Each change made is
    logged with the line ``log_for`` gives for it, counted, timed and its callback queued exactly as
    change_status_by_receipt does for one receipt. Returns the moves made; a receipt with none was refused."""
    applied = dao_apply_receipt_moves(moves, match_on=match_on, provider=provider, received_at=utc_now())
    for move in applied:
        _after_change(move.notification, log_for(move), metric_prefix=f"callback.{provider}")
    return applied


def time_out_unanswered_notifications(*, created_before: datetime, limit: int) -> int:
    """Move up to ``limit`` `sending`/`pending` notifications created before ``created_before`` (no receipt came) to
    `temporary-failure` in one statement, queueing each one's callback. Returns how many changed."""
    changed = dao_timeout_sending_notifications(created_before=created_before, limit=limit)
    _count_by_type(changed, "receipts.{notification_type}.timed-out")
    return _after_batch_change(changed, NotificationStatus.TEMPORARY_FAILURE, "no receipt came in time")


def fail_unsent_notifications(*, created_before: datetime, limit: int) -> int:
    """Move up to ``limit`` notifications still `created` from before ``created_before`` (never handed to a provider)
    to `technical-failure` in one statement, queueing each one's callback. Returns how many changed."""
    changed = dao_fail_unsent_notifications(created_before=created_before, limit=limit)
    return _after_batch_change(changed, NotificationStatus.TECHNICAL_FAILURE, "never handed to a provider in time")


def cancel_letters_of_job(job_id: uuid.UUID | str) -> int:
    """Cancel every letter of the job still waiting for the print run (`billable_units` 0). Returns how many."""
    changed = dao_cancel_letters_of_job(job_id)
    return _after_batch_change(changed, NotificationStatus.CANCELLED, f"letter job {job_id} cancelled")


class _ChangedWithSentAt(ChangedNotification, Protocol):
    @property
    def sent_at(self) -> datetime | None: ...


def _after_change(notification: _ChangedWithSentAt, log: ChangeLog, *, metric_prefix: str | None = None) -> None:
    fields = {
        "notification_id": notification.id,
        "service_id": notification.service_id,
        "notification_status": notification.status,
        **log.fields,
    }
    logger.log(log.level, log.message, *log.args, extra=fields)
    statsd = get_statsd_client()
    statsd.incr(f"notifications.{notification.notification_type}.{notification.status}")
    if metric_prefix is not None:
        _count_receipt(notification, metric_prefix)
    enqueue_delivery_status_callback(notification)


def _count_receipt(notification: _ChangedWithSentAt, metric_prefix: str) -> None:
    statsd = get_statsd_client()
    statsd.incr(f"{metric_prefix}.{notification.status}")
    if is_final(notification.status) and notification.sent_at is not None:
        statsd.timing_with_dates(f"{metric_prefix}.elapsed-time", utc_now(), notification.sent_at)


def _after_batch_change(changed: Sequence[Notification], status: NotificationStatus, why: str) -> int:
    """One log line for the batch (its size, not each id: a batch may be thousands), a callback for each row."""
    if changed:
        logger.info(
            "Moved %s notifications to %s: %s",
            len(changed),
            status,
            why,
            extra={"notification_count": len(changed), "notification_status": status},
        )
    _count_by_type(changed, f"notifications.{{notification_type}}.{status}")
    for notification in changed:
        enqueue_delivery_status_callback(notification)
    return len(changed)


def _count_by_type(changed: Sequence[Notification], metric_template: str) -> None:
    """One counter increment per notification type in ``changed``, named by ``metric_template``."""
    counts = Counter(notification.notification_type for notification in changed)
    statsd = get_statsd_client()
    for notification_type, count in sorted(counts.items()):
        statsd.incr(metric_template.format(notification_type=notification_type), count)
