"""How long each task waited on its queue, from enqueue (or eta) to start, in ms: `tasks.<task name>.queue-time` and
`queues.<queue name>.queue-time` (the queue it was delivered from: a delivery lane's wait shows on its queue).

The producer stamps every message with the time it was published (a message header, as Celery carries no send
time of its own); the worker reads it back when the task starts. A message with an eta or countdown (a retry 5
minutes out) is measured from when it became due, so the timer shows the backlog, not the planned delay. Times are
wall-clock seconds since the epoch: the API and the workers are assumed to keep their clocks in step (NTP).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from celery import Task
from celery.signals import before_task_publish, task_prerun

from app.clients.statsd_client import get_statsd_client

ENQUEUED_AT_HEADER = "herald_enqueued_at"


def connect_task_metrics() -> None:
    """Connect the signal handlers (once per process; connecting again changes nothing)."""
    before_task_publish.connect(stamp_enqueue_time, weak=False, dispatch_uid="herald.stamp_enqueue_time")
    task_prerun.connect(record_queue_time, weak=False, dispatch_uid="herald.record_queue_time")


def stamp_enqueue_time(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """before_task_publish: note when the message leaves the producer (a retry is stamped anew)."""
    if headers is not None:
        headers[ENQUEUED_AT_HEADER] = time.time()


def record_queue_time(task: Task | None = None, **_: Any) -> None:
    """task_prerun: send the time since the message was due; nothing for a message without a stamp."""
    client = get_statsd_client()
    if not client.is_enabled or task is None:
        return
    due_at = message_due_at(task.request)
    if due_at is None:
        return
    waited_ms = max(0.0, time.time() - due_at) * 1000
    client.timing(f"tasks.{task.name}.queue-time", waited_ms)
    queue = (task.request.delivery_info or {}).get("routing_key")
    if queue:
        client.timing(f"queues.{queue}.queue-time", waited_ms)


def message_due_at(request: Any) -> float | None:
    """When the message could first have run: its enqueue stamp, or its eta when that is later."""
    enqueued_at = request.get(ENQUEUED_AT_HEADER)
    if not isinstance(enqueued_at, int | float):
        return None
    eta = request.get("eta")
    if isinstance(eta, str):
        eta_seconds = datetime.fromisoformat(eta).timestamp()
        return max(float(enqueued_at), eta_seconds)
    return float(enqueued_at)
