"""Queue the making of a templated letter's PDF (Notify's task `get-pdf-for-templated-letter`)."""

from __future__ import annotations

import uuid

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames


def enqueue_letter_pdf_task(notification_id: uuid.UUID | str) -> None:
    """Broker errors propagate (the caller deletes the letter it could not queue)."""
    task_queue.queue_task(
        TaskNames.CREATE_LETTERS_PDF, args=[str(notification_id)], queue=QueueNames.CREATE_LETTERS_PDF
    )
