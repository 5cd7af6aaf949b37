"""Reliability fixtures: a stand-in provider, a Redis broker the test owns, real Celery workers, a publisher.

The workers share the test session's database. Each test gets its own broker, so killing or restarting it
touches nobody else; the test publishes to it with a Celery app of its own (never made the current app).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from celery import Celery
from flask import Flask

from app.celery.celery_app import celery_settings
from app.celery.queues import all_queues
from config import celery_broker_url
from devstack import processes
from devstack.child import ChildProcess
from tests.reliability.provider_stub import ProviderStub
from tests.reliability.redis_server import RedisServer
from tests.reliability.worker_process import StartWorker, worker_spec


@pytest.fixture
def provider_stub() -> Iterator[ProviderStub]:
    stub = ProviderStub().start()
    yield stub
    stub.stop()


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    # A short directory: a unix socket path must fit in 108 bytes.
    directory = Path(tempfile.mkdtemp(prefix="herald-broker-"))
    server = RedisServer(directory).start()
    yield server
    server.kill()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def worker_environment(notify_api: Flask, broker: RedisServer, provider_stub: ProviderStub) -> dict[str, str]:
    return {
        **os.environ,
        "NOTIFY_ENVIRONMENT": "test",
        "DATABASE_URL": notify_api.config["DATABASE_URL"],
        "REDIS_URL": broker.url,
        "CELERY_BROKER_URL": celery_broker_url(broker.url),
        "MMG_URL": f"{provider_stub.url}/mmg",
        "FIRETEXT_URL": f"{provider_stub.url}/firetext",
        "PROVIDER_TIMEOUT_SECONDS": "5",
        # Short, so a dead worker's messages and claims come back within seconds rather than minutes.
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "4",
        "SENDING_CLAIM_LEASE_SECONDS": "2",
        "LOG_JSON": "0",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def start_worker(worker_environment: dict[str, str], tmp_path: Path, notify_db_session: None) -> Iterator[StartWorker]:
    """Start a worker (extra settings as keyword arguments); every one is stopped before the database is cleaned."""
    workers: list[ChildProcess] = []

    def start(**settings: str) -> ChildProcess:
        worker = ChildProcess(
            worker_spec(), {**worker_environment, **settings}, tmp_path / f"worker-{len(workers)}.log"
        )
        workers.append(worker.start())
        worker.wait_until_ready()
        return worker

    yield start
    for worker in workers:
        worker.kill()


@pytest.fixture
def start_beat(worker_environment: dict[str, str], tmp_path: Path, notify_db_session: None) -> Iterator[StartWorker]:
    """Start beat (extra settings as keyword arguments); stopped before the database is cleaned."""
    beats: list[ChildProcess] = []

    def start(**settings: str) -> ChildProcess:
        log_path = tmp_path / f"beat-{len(beats)}.log"
        beat = ChildProcess(
            processes.beat(log_path.with_suffix(".schedule")), {**worker_environment, **settings}, log_path
        )
        beats.append(beat.start())
        beat.wait_until_ready()
        return beat

    yield start
    for beat in beats:
        beat.kill()


@pytest.fixture
def publisher(notify_api: Flask, broker: RedisServer) -> Iterator[Celery]:
    app = Celery("reliability-publisher", set_as_current=False)
    app.conf.update(celery_settings({**notify_api.config, "CELERY_BROKER_URL": celery_broker_url(broker.url)}))
    yield app
    app.close()


def _rabbitmq_url() -> str:
    url = os.environ.get("RABBITMQ_URL")
    if not url:
        pytest.skip("RABBITMQ_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672//): RabbitMQ smoke test skipped")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), timeout=1).close()
    except OSError as error:
        pytest.skip(f"RabbitMQ at {parts.hostname}:{parts.port or 5672} is unreachable ({error}): smoke test skipped")
    return url


@pytest.fixture
def rabbitmq_publisher(notify_api: Flask) -> Iterator[Celery]:
    """A publisher on RabbitMQ's shared queues, held by one test at a time (pytest-xdist runs tests in parallel, and
    one test's worker would take the other's messages)."""
    url = _rabbitmq_url()
    app = Celery(f"rabbitmq-publisher-{uuid.uuid4().hex[:6]}", set_as_current=False)
    app.conf.update(celery_settings({**notify_api.config, "CELERY_BROKER_URL": url}))
    with open(Path(tempfile.gettempdir()) / "herald-rabbitmq-tests.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _delete_queues(app)  # what earlier runs left behind belongs to another database
        yield app
        _delete_queues(app)
    app.close()


def _delete_queues(app: Celery) -> None:
    with app.connection_for_write() as connection, connection.channel() as channel:
        for queue in all_queues():
            channel.queue_delete(queue)
