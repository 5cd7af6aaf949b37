"""Queue depths come from the broker itself, and a broker that does not answer makes them unavailable, not an error."""

from __future__ import annotations

import socket

import pytest
from flask import Flask

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames, all_queues
from app.ops.queue_depths import list_queue_depths


def test_every_queue_is_counted_from_the_broker(notify_api: Flask, notify_db_session: None) -> None:
    for _ in range(3):
        task_queue.queue_task(TaskNames.DELIVER_SMS, args=["id"], queue=QueueNames.SEND_SMS)
    task_queue.queue_task(TaskNames.PROCESS_JOB, args=["id"], queue=QueueNames.JOBS)

    depths = list_queue_depths()

    assert depths is not None
    assert set(depths) == set(all_queues())
    assert (depths["send-sms"], depths["jobs"], depths["priority-sms"]) == (3, 1, 0)


def test_a_broker_that_does_not_answer_makes_the_depths_unavailable(
    notify_api: Flask, notify_db_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    celery = task_queue.celery_app()
    monkeypatch.setattr(celery.conf, "broker_url", f"redis://127.0.0.1:{closed_port}/0")
    monkeypatch.setattr(celery.conf, "broker_write_url", None)

    assert list_queue_depths() is None
