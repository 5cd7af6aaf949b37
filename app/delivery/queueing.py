"""Put a notification's deliver task on its lane's queue (test keys on research-mode; see lanes.py), and tell which
of those queues have nothing waiting."""

from __future__ import annotations

import uuid

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.delivery.lanes import LANE_QUEUES, Lane, lane_queue
from app.models import NotificationType

MAX_DELIVER_BATCH = 50  # notifications in one batch deliver task's message (the task handles a longer list in parts)


def deliver_task_name(notification_type: str) -> TaskNames:
    if notification_type == NotificationType.LETTER:
        return TaskNames.DELIVER_LETTER
    return TaskNames.DELIVER_EMAIL if notification_type == NotificationType.EMAIL else TaskNames.DELIVER_SMS


def deliver_queue(notification_type: str, key_type: str, lane: Lane = Lane.NORMAL) -> QueueNames:
    # A letter's claim the safety net hands back (its worker died) goes back to the print queue; test letters are
    # never printed.
    if notification_type == NotificationType.LETTER:
        return QueueNames.SEND_LETTER
    return lane_queue(lane, notification_type, key_type)


def enqueue_deliver_task(
    notification_id: uuid.UUID | str,
    notification_type: str,
    key_type: str,
    *,
    lane: Lane = Lane.NORMAL,
    queue: QueueNames | None = None,
    failed_provider: str | None = None,
    countdown_seconds: int = 0,
) -> None:
    """Send `deliver_sms` / `deliver_email` / `deliver_letter` for one notification (by name: no task module is
    imported) to ``queue``, else its ``lane``'s queue, to run no sooner than ``countdown_seconds`` from now. Broker
    errors propagate."""
    task_queue.queue_task(
        deliver_task_name(notification_type),
        args=[str(notification_id)],
        queue=queue or deliver_queue(notification_type, key_type, lane),
        kwargs={"failed_provider": failed_provider} if failed_provider else None,
        countdown_seconds=countdown_seconds,
    )


def deliver_batch_task_name(notification_type: str) -> TaskNames:
    """`deliver_sms_batch` / `deliver_email_batch` (letters are not sent in batches)."""
    if notification_type == NotificationType.EMAIL:
        return TaskNames.DELIVER_EMAIL_BATCH
    if notification_type == NotificationType.SMS:
        return TaskNames.DELIVER_SMS_BATCH
    raise ValueError(f"no batch deliver task for {notification_type!r} notifications")


DELIVER_QUEUES = (*sorted(LANE_QUEUES), QueueNames.RESEARCH_MODE)


def list_idle_deliver_queues() -> set[str]:
    """The deliver queues with no message waiting for a worker (messages a worker has taken are not counted).

    Declares each queue as the workers do, which answers with its count on every transport: RabbitMQ counts its
    ready messages, Redis the length of its lists. Broker errors propagate.
    """
    celery = task_queue.celery_app()
    idle: set[str] = set()
    with celery.connection_for_write() as connection, connection.channel() as channel:
        for name in DELIVER_QUEUES:
            declared = celery.amqp.queues[name].bind(channel).queue_declare()
            if declared.message_count == 0:
                idle.add(str(name))
    return idle
