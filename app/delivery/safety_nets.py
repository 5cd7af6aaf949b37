"""The delivery safety nets run by beat: queue again what was never sent, time out what never got a receipt."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from flask import current_app

from app.callbacks.delivery_status import enqueue_delivery_status_callback
from app.clock import utc_now
from app.dao.notification_sending_dao import (
    NotificationToQueue,
    dao_fail_unsent_notifications,
    dao_release_stale_sending_claims,
    dao_timeout_sending_notifications,
    dao_touch_created_notifications_to_requeue,
)
from app.delivery.queueing import enqueue_deliver_task
from app.models import Notification

logger = logging.getLogger(__name__)


def requeue_created_notifications() -> int:
    """Queue again every notification still `created` and untouched for REQUEUE_CREATED_AFTER_MINUTES.

    Its task was lost (a broker failure, a purge) or its retry chain ended without a verdict. Safe because a deliver
    task only ever sends a notification it has claimed. Returns how many were queued.
    """
    untouched_since = utc_now() - timedelta(minutes=current_app.config["REQUEUE_CREATED_AFTER_MINUTES"])
    return _requeue_in_batches(
        lambda limit: dao_touch_created_notifications_to_requeue(untouched_since=untouched_since, limit=limit),
        description="created",
    )


def requeue_stale_sending_claims() -> int:
    """Hand back and queue again every claim older than SENDING_CLAIM_LEASE_SECONDS with no provider answer.

    The worker that claimed it died before recording an answer (or before calling the provider at all).
    Returns how many were queued.
    """
    claimed_before = utc_now() - timedelta(seconds=current_app.config["SENDING_CLAIM_LEASE_SECONDS"])
    return _requeue_in_batches(
        lambda limit: dao_release_stale_sending_claims(claimed_before=claimed_before, limit=limit),
        description="stale sending claim",
    )


def timeout_sending_notifications() -> int:
    """Time out notifications older than SENDING_TIMEOUT_SECONDS: `sending`/`pending` (no receipt came) become
    `temporary-failure`, `created` (never handed over) `technical-failure`. Each service hears through its
    delivery-status callback. Returns how many timed out."""
    created_before = utc_now() - timedelta(seconds=current_app.config["SENDING_TIMEOUT_SECONDS"])
    without_receipt = _finalise_in_batches(
        lambda limit: dao_timeout_sending_notifications(created_before=created_before, limit=limit)
    )
    never_sent = _finalise_in_batches(
        lambda limit: dao_fail_unsent_notifications(created_before=created_before, limit=limit)
    )
    if without_receipt or never_sent:
        logger.warning(
            "%s notifications timed out waiting for a receipt; %s were never handed to a provider",
            without_receipt,
            never_sent,
            extra={"notification_count": without_receipt + never_sent},
        )
    return without_receipt + never_sent


def _finalise_in_batches(finalise: Callable[[int], Sequence[Notification]]) -> int:
    batch_size = current_app.config["DELIVERY_SAFETY_NET_BATCH_SIZE"]
    total = 0
    while True:
        finalised = finalise(batch_size)
        for notification in finalised:
            enqueue_delivery_status_callback(notification)
        total += len(finalised)
        if len(finalised) < batch_size:
            return total


def _requeue_in_batches(pick: Callable[[int], Sequence[NotificationToQueue]], *, description: str) -> int:
    batch_size = current_app.config["DELIVERY_SAFETY_NET_BATCH_SIZE"]
    total = 0
    while True:
        batch = pick(batch_size)
        for notification in batch:
            enqueue_deliver_task(notification.id, notification.notification_type, notification.key_type)
        total += len(batch)
        if len(batch) < batch_size:
            break
    if total:
        logger.warning("Queued %s %s notifications again", total, description, extra={"notification_count": total})
    return total
