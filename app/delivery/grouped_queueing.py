"""Queue an accepted SMS or email for delivery through the process's group publisher: concurrent API requests share
one `deliver_sms_batch` / `deliver_email_batch` message per queue instead of publishing one task each.

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
    task_queue.queue_task(TaskNames(task_name), args=[notification_ids], queue=QueueNames(queue))


def deliver_group_publisher() -> GroupPublisher:
    """This process's publisher of deliver batches (one per process: see group_publisher.publisher_for)."""
    return publisher_for(
        current_app.extensions,
        "deliver",
        lambda: GroupPublisher(_publish_batch, max_items_per_message=MAX_DELIVER_BATCH),
    )
