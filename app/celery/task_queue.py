"""The one seam through which the domain queues Celery tasks: by name, so no task module is imported, on a named queue.

Tests that check what gets queued patch ``queue_task`` / ``queue_tasks`` here; callers use them through this module
(``task_queue.queue_task(...)``) so one patch sees every call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from celery import Celery
from flask import current_app

from app.celery.queues import QueueNames, TaskNames

_EXTENSION_KEY = "celery"


def install_celery(app_extensions: dict[str, Any], celery: Celery) -> None:
    """Make ``celery`` the app this seam queues through."""
    app_extensions[_EXTENSION_KEY] = celery


def celery_app() -> Celery:
    """The current Flask app's Celery app."""
    celery: Celery = current_app.extensions[_EXTENSION_KEY]
    return celery


def queue_task(
    name: TaskNames,
    *,
    args: Sequence[Any],
    queue: QueueNames,
    kwargs: Mapping[str, Any] | None = None,
    countdown_seconds: int = 0,
    retries: int = 0,
) -> None:
    """Send task ``name`` with ``args`` (and ``kwargs``) to ``queue``, to run no sooner than ``countdown_seconds``
    from now; ``retries`` is how many attempts the task is to count as made already (its request's `retries`).
    Broker errors (kombu's OperationalError and the transport's own) propagate."""
    options: dict[str, Any] = {}
    if retries:
        options["retries"] = retries
    if kwargs:
        options["kwargs"] = dict(kwargs)
    if countdown_seconds:
        options["countdown"] = countdown_seconds
    celery_app().send_task(name, args=list(args), queue=queue, **options)


def queue_tasks(name: TaskNames, *, arg_lists: Sequence[Sequence[Any]], queue: QueueNames) -> None:
    """Send task ``name`` once per entry of ``arg_lists`` to ``queue``, batched into one broker round trip where the
    transport can (a Redis pipeline; other transports publish one by one). Broker errors propagate."""
    if not arg_lists:
        return
    celery = celery_app()
    with celery.producer_or_acquire() as producer, producer.batch(max_size=len(arg_lists)):
        for index, args in enumerate(arg_lists):
            # The first publish declares the queue (RabbitMQ drops what is routed to an undeclared queue); the others
            # skip declaring, a third of the cost of each publish.
            options: dict[str, Any] = {} if index == 0 else {"declare": []}
            celery.send_task(name, args=list(args), queue=queue, producer=producer, **options)
