"""The delivery safety nets run by beat: queue again what was never sent, time out what never got a receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from flask import current_app

from app.clock import utc_now
from app.dao.notification_sending_dao import (
    NotificationToQueue,
    QueueKey,
    dao_requeue_overdue_created_notifications,
)
from app.delivery.claims import release_stale_claims
from app.delivery.lanes import notification_lane
from app.delivery.queueing import deliver_queue, enqueue_deliver_task, list_idle_deliver_queues
from app.models import KeyType, NotificationType, TemplateProcessType
from app.status_changes import fail_unsent_notifications, time_out_unanswered_notifications

logger = logging.getLogger(__name__)


def requeue_created_notifications() -> int:
    """Queue again every `created` notification overdue by REQUEUE_CREATED_AFTER_SECONDS on its own lane's queue,
    unless that queue has messages waiting.

    Due means past its `next_attempt_at` (a retry countdown, or a wait for a receipt), else past its creation. An
    overdue one lost its task: a killed worker's prefetched message (which Redis hands back only after the
    visibility timeout), a broker failure, a retry chain that ended without a verdict. Queueing it again is safe
    because a deliver task only sends a notification it has claimed. While a lane's queue still has messages
    waiting, its overdue notifications may simply be in that backlog: they are left to it rather than queued twice.
    Returns how many were queued.
    """
    due_before = utc_now() - timedelta(seconds=current_app.config["REQUEUE_CREATED_AFTER_SECONDS"])
    queue_keys = _queue_keys_of(list_idle_deliver_queues())
    return _requeue_in_batches(
        lambda limit: dao_requeue_overdue_created_notifications(
            due_before=due_before, queue_keys=queue_keys, limit=limit
        ),
        description="overdue created",
    )


def _queue_keys_of(queues: set[str]) -> list[QueueKey]:
    """Every QueueKey whose deliver tasks go to one of ``queues`` (each lane judged by its own queue)."""
    return [
        QueueKey(notification_type.value, key_type.value, is_from_job, process_type.value)
        for notification_type in (NotificationType.SMS, NotificationType.EMAIL)  # letters wait for the print run
        for key_type in KeyType
        for is_from_job in (False, True)
        for process_type in TemplateProcessType
        if _queue_of(notification_type, key_type, is_from_job=is_from_job, process_type=process_type) in queues
    ]


def _queue_of(notification_type: str, key_type: str, *, is_from_job: bool, process_type: str) -> str:
    return deliver_queue(
        notification_type, key_type, notification_lane(is_from_job=is_from_job, process_type=process_type)
    )


def requeue_stale_sending_claims() -> int:
    """Hand back and queue again every claim older than SENDING_CLAIM_LEASE_SECONDS with no provider answer.

    The worker that claimed it died before recording an answer (or before calling the provider at all). Beat runs
    this every DELIVERY_SAFETY_NET_INTERVAL_SECONDS, so such a notification is queued again at most lease plus
    interval after its claim. Returns how many were queued.
    """
    claimed_before = utc_now() - timedelta(seconds=current_app.config["SENDING_CLAIM_LEASE_SECONDS"])
    return _requeue_in_batches(
        lambda limit: release_stale_claims(claimed_before=claimed_before, limit=limit),
        description="stale sending claim",
    )


def timeout_sending_notifications() -> int:
    """Time out notifications older than SENDING_TIMEOUT_SECONDS: `sending`/`pending` (no receipt came) become
    `temporary-failure`, `created` (never handed over) `technical-failure`. Each service hears through its
    delivery-status callback. Returns how many timed out."""
    created_before = utc_now() - timedelta(seconds=current_app.config["SENDING_TIMEOUT_SECONDS"])
    without_receipt = _finalise_in_batches(
        lambda limit: time_out_unanswered_notifications(created_before=created_before, limit=limit)
    )
    never_sent = _finalise_in_batches(
        lambda limit: fail_unsent_notifications(created_before=created_before, limit=limit)
    )
    if without_receipt or never_sent:
        logger.warning(
            "%s notifications timed out waiting for a receipt; %s were never handed to a provider",
            without_receipt,
            never_sent,
            extra={"notification_count": without_receipt + never_sent},
        )
    return without_receipt + never_sent


def _finalise_in_batches(finalise: Callable[[int], int]) -> int:
    """Run ``finalise`` (a batch status change; it queues each row's callback) until a batch comes back short."""
    batch_size = current_app.config["DELIVERY_SAFETY_NET_BATCH_SIZE"]
    total = 0
    while True:
        finalised = finalise(batch_size)
        total += finalised
        if finalised < batch_size:
            return total


def _requeue_in_batches(pick: Callable[[int], Sequence[NotificationToQueue]], *, description: str) -> int:
    batch_size = current_app.config["DELIVERY_SAFETY_NET_BATCH_SIZE"]
    total = 0
    while True:
        batch = pick(batch_size)
        for notification in batch:
            lane = notification_lane(
                is_from_job=notification.job_id is not None, process_type=notification.process_type
            )
            enqueue_deliver_task(notification.id, notification.notification_type, notification.key_type, lane=lane)
        total += len(batch)
        if len(batch) < batch_size:
            break
    if total:
        logger.warning("Queued %s %s notifications again", total, description, extra={"notification_count": total})
    return total
