"""Queue the making of a templated letter's PDF (Notify's task `get-pdf-for-templated-letter`), and a precompiled
letter's virus scan (`scan-file`) and PDF checks (`sanitise-letter`)."""

from __future__ import annotations

import uuid

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames


def enqueue_letter_pdf_task(notification_id: uuid.UUID | str) -> None:
    """Broker errors propagate (the caller deletes the letter it could not queue)."""
    task_queue.queue_task(
        TaskNames.CREATE_LETTERS_PDF, args=[str(notification_id)], queue=QueueNames.CREATE_LETTERS_PDF
    )


def enqueue_virus_scan_task(notification_id: uuid.UUID | str) -> None:
    """Broker errors propagate."""
    task_queue.queue_task(TaskNames.SCAN_FILE, args=[str(notification_id)], queue=QueueNames.ANTIVIRUS)


def enqueue_sanitise_letter_task(notification_id: uuid.UUID | str) -> None:
    """Broker errors propagate."""
    task_queue.queue_task(TaskNames.SANITISE_LETTER, args=[str(notification_id)], queue=QueueNames.SANITISE_LETTERS)
