"""Queue time: the producer stamps each message, the worker times `tasks.<name>.queue-time` from it when it starts."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from celery import Celery
from celery.app.task import Context

from app.celery.task_metrics import ENQUEUED_AT_HEADER, connect_task_metrics, record_queue_time
from app.clients.statsd_client import StatsdClient
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener


@pytest.fixture
def memory_celery() -> Iterator[Celery]:
    connect_task_metrics()
    celery = Celery("task-metrics-test", broker="memory://", set_as_current=False)
    yield celery
    celery.close()


def published_headers(celery: Celery, **options: Any) -> dict[str, Any]:
    """Publish a deliver_sms message and read back the headers a worker would receive."""
    celery.send_task("deliver_sms", args=["a-notification-id"], queue="task-metrics-test", **options)
    with celery.connection_for_read() as connection:
        queue = connection.SimpleQueue("task-metrics-test")
        message = queue.get(timeout=1)
        message.ack()
        queue.close()
    return dict(message.headers)


def starting_task(headers: dict[str, Any]) -> SimpleNamespace:
    """The task as task_prerun sees it: its name, and the request the worker built from the message headers."""
    return SimpleNamespace(name=headers["task"], request=Context(headers))


def queue_time_ms(datagrams: list[str]) -> float:
    (datagram,) = datagrams
    match = re.fullmatch(rf"{re.escape(STATSD_PREFIX)}\.tasks\.deliver_sms\.queue-time:([\d.]+)\|ms", datagram)
    assert match, datagram
    return float(match.group(1))


def test_a_published_message_carries_the_time_it_was_enqueued(memory_celery: Celery):
    before = time.time()

    headers = published_headers(memory_celery)

    assert before <= headers[ENQUEUED_AT_HEADER] <= time.time()


def test_a_starting_task_sends_how_long_its_message_waited(
    memory_celery: Celery, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    headers = published_headers(memory_celery)
    headers[ENQUEUED_AT_HEADER] -= 2.5  # as if it had waited two and a half seconds

    record_queue_time(task=starting_task(headers))

    assert 2500 <= queue_time_ms(statsd_listener.receive_all()) < 3500


def test_a_message_with_a_countdown_is_timed_from_when_it_became_due(
    memory_celery: Celery, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    headers = published_headers(memory_celery, eta=datetime.now(UTC) - timedelta(seconds=1))
    headers[ENQUEUED_AT_HEADER] -= 300  # enqueued five minutes ago, due one second ago

    record_queue_time(task=starting_task(headers))

    assert 1000 <= queue_time_ms(statsd_listener.receive_all()) < 2000


def test_a_message_without_a_stamp_sends_nothing(
    installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    record_queue_time(task=starting_task({"task": "deliver_sms", "id": "abc"}))

    assert statsd_listener.receive_all() == []


def test_nothing_is_sent_while_statsd_is_disabled(memory_celery: Celery, statsd_listener: StatsdListener):
    headers = published_headers(memory_celery)

    record_queue_time(task=starting_task(headers))

    assert statsd_listener.receive_all(quiet_seconds=0.3) == []


def test_a_starting_task_also_times_the_wait_on_the_queue_it_was_delivered_from(
    memory_celery: Celery, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    headers = published_headers(memory_celery)
    headers[ENQUEUED_AT_HEADER] -= 1.5
    task = SimpleNamespace(
        name=headers["task"], request=Context(headers, delivery_info={"routing_key": "priority-sms"})
    )

    record_queue_time(task=task)

    by_name = {
        datagram.split(":")[0].removeprefix(f"{STATSD_PREFIX}."): float(datagram.split(":")[1].split("|")[0])
        for datagram in statsd_listener.receive_all()
    }
    assert sorted(by_name) == ["queues.priority-sms.queue-time", "tasks.deliver_sms.queue-time"]
    assert 1500 <= by_name["queues.priority-sms.queue-time"] < 2500
