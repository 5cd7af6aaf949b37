"""Queue the service callbacks the broker refused when they were due (beat, every minute)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from flask import current_app
from kombu.exceptions import OperationalError as BrokerError

from app.callbacks.dispatch import send_callback_task
from app.celery.queues import TaskNames
from app.clients.statsd_client import get_statsd_client
from app.dao.pending_callbacks_dao import (
    dao_count_pending_callbacks,
    dao_delete_pending_callbacks,
    dao_get_pending_callbacks,
)
from app.extensions import db
from app.models import PendingCallback

logger = logging.getLogger(__name__)


def queue_pending_callbacks() -> int:
    """Queue every pending callback, oldest first, deleting each row once its task is queued; stops at the first
    broker refusal (the rest wait for the next run). Sets the gauge `callbacks.pending-backlog` to how many are still
    owed afterwards. Returns how many were queued.

    A crash between queueing and the commit leaves rows whose tasks were queued: those callbacks are sent twice, as
    a retried callback may be.
    """
    batch_size = current_app.config["DELIVERY_SAFETY_NET_BATCH_SIZE"]
    total = 0
    while True:
        pending = dao_get_pending_callbacks(batch_size)
        queued = _queue_until_refused(pending)
        dao_delete_pending_callbacks(queued)
        db.session.commit()
        total += len(queued)
        if len(queued) < len(pending) or len(pending) < batch_size:
            break
    if total:
        logger.warning("Queued %s callbacks the broker had refused", total, extra={"notification_count": total})
        get_statsd_client().incr("callbacks.pending-queued", total)
    get_statsd_client().gauge("callbacks.pending-backlog", dao_count_pending_callbacks())
    return total


def _queue_until_refused(pending: Sequence[PendingCallback]) -> list[uuid.UUID]:
    queued: list[uuid.UUID] = []
    for callback in pending:
        try:
            send_callback_task(TaskNames(callback.task_name), callback.row_id)
        except BrokerError:
            logger.warning(
                "The broker still refuses callback tasks; %s callbacks stay pending", len(pending) - len(queued)
            )
            break
        queued.append(callback.id)
    return queued
