"""Queue an accepted SMS or email for delivery through the process's group publisher: concurrent API requests share
one `deliver_sms_batch` / `deliver_email_batch` message per queue instead of publishing one task each; a request alone
in its group (light load) publishes the single `deliver_sms` / `deliver_email` task, cheaper than a batch of one.

Each caller still returns only once the message carrying its notification is on the broker, and raises what that
publish raised (or GroupPublishTimeoutError), so the accept path's delete-and-fail stays as it was.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app

from app.celery import task_queue
from app.celery.group_publisher import GroupPublisher, publisher_for
from app.celery.queues import QueueNames, TaskNames
from app.delivery.lanes import Lane
from app.delivery.queueing import MAX_DELIVER_BATCH, deliver_batch_task_name, deliver_queue


def enqueue_deliver_in_group(
    notification_id: uuid.UUID, notification_type: str, key_type: str, lane: Lane = Lane.NORMAL
) -> None:
    """Queue ``notification_id`` for delivery on its lane's queue (research-mode for test keys), in one batch message
    with whatever other requests of this process are queueing at the same moment. Broker errors propagate."""
    deliver_group_publisher().submit(
        deliver_batch_task_name(notification_type),
        deliver_queue(notification_type, key_type, lane),
        str(notification_id),
    )


def _publish_batch(task_name: str, queue: str, notification_ids: list[Any]) -> None:
    if len(notification_ids) == 1:
        # Alone in its group (light load): the single task, which costs the worker and PostgreSQL about 40 % less
        # than a batch of one (benchmarks/batch_delivery.py: 3.4 against 5.8 ms of worker CPU per notification).
        task_queue.queue_task(
            SINGLE_TASK_OF_BATCH[TaskNames(task_name)], args=notification_ids, queue=QueueNames(queue)
        )
        return
    task_queue.queue_task(TaskNames(task_name), args=[notification_ids], queue=QueueNames(queue))


SINGLE_TASK_OF_BATCH = {
    TaskNames.DELIVER_SMS_BATCH: TaskNames.DELIVER_SMS,
    TaskNames.DELIVER_EMAIL_BATCH: TaskNames.DELIVER_EMAIL,
}


def deliver_group_publisher() -> GroupPublisher:
    """This process's publisher of deliver batches (one per process: see group_publisher.publisher_for)."""
    return publisher_for(
        current_app.extensions,
        "deliver",
        lambda: GroupPublisher(_publish_batch, max_items_per_message=MAX_DELIVER_BATCH),
    )
