"""Returned letters (letters.md §5.6): letters Royal Mail sent back become `returned-letter`, the return is recorded,
and the service hears through its returned-letter callback."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from app.callbacks.returned_letter import enqueue_returned_letter_callback
from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.dao.returned_letters_dao import dao_create_returned_letter, dao_list_letter_ids_by_references
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)

REFERENCES_PER_TASK = 5000


def enqueue_returned_letters(references: Sequence[str], *, reported_at: date) -> None:
    """Queue the references in chunks of REFERENCES_PER_TASK. Broker errors propagate."""
    for start in range(0, len(references), REFERENCES_PER_TASK):
        task_queue.queue_task(
            TaskNames.PROCESS_RETURNED_LETTERS_LIST,
            args=[list(references[start : start + REFERENCES_PER_TASK]), reported_at.isoformat()],
            queue=QueueNames.JOBS,
        )


def process_returned_letters(references: Sequence[str], *, reported_at: date) -> int:
    """Mark every letter the references name as returned; returns how many changed. A letter already returned (or
    never sent to print) is left alone, so processing a list twice is harmless."""
    returned = 0
    for notification_id in dao_list_letter_ids_by_references(references):
        notification = change_status(
            notification_id,
            NotificationStatus.RETURNED_LETTER,
            log=ChangeLog("Letter %s returned by Royal Mail", (notification_id,)),
        )
        if notification is None:
            continue
        dao_create_returned_letter(
            notification_id=notification.id, service_id=notification.service_id, reported_at=reported_at
        )
        enqueue_returned_letter_callback(notification)
        returned += 1
    if returned < len(references):
        logger.warning(
            "%s of %s returned letter references matched no letter sent to print",
            len(references) - returned,
            len(references),
            extra={"notification_count": returned},
        )
    return returned
