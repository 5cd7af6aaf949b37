"""Queue a job's process_job task by name (no task module is imported here)."""

from __future__ import annotations

import uuid

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames


def enqueue_process_job(job_id: uuid.UUID | str) -> None:
    """Send process_job for one job to the `jobs` queue. Broker errors propagate."""
    task_queue.queue_task(TaskNames.PROCESS_JOB, args=[str(job_id)], queue=QueueNames.JOBS)
