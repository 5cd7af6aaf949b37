"""Test harness: a real PostgreSQL database and a real Redis per test session, a clean database per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from unittest.mock import MagicMock, patch

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.services_under_test import ServicesUnderTest, database_url_named, redis_url_for_worker

if TYPE_CHECKING:
    from app.clients.statsd_client import StatsdClient

ROOT = Path(__file__).resolve().parent.parent
KEEP_TABLES = {"alembic_version", "provider_details", "provider_details_history"}


@pytest.fixture(scope="session")
def test_services() -> Iterator[ServicesUnderTest]:
    services = ServicesUnderTest()
    services.start()
    yield services
    services.stop()


@pytest.fixture(scope="session")
def notify_api(test_services: ServicesUnderTest, worker_id: str) -> Iterator[Flask]:
    database = f"herald_test_{os.getpid()}_{worker_id}".replace("-", "_")
    assert test_services.server_url is not None
    with psycopg.connect(test_services.server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    database_url = database_url_named(test_services.server_url, database)
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url_for_worker(
        test_services.redis_url or "", worker_id, embedded=test_services.redis_is_embedded
    )
    os.environ["NOTIFY_ENVIRONMENT"] = "test"
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with psycopg.connect(test_services.server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def worker_id(request: pytest.FixtureRequest) -> str:
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["workerid"] if workerinput else "main"


def _clean_database() -> None:
    from sqlalchemy import text

    from app.extensions import db

    db.session.remove()
    tables = [table.name for table in db.metadata.sorted_tables if table.name not in KEEP_TABLES]
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        connection.execute(text("DELETE FROM provider_details_history WHERE version > 1"))
        connection.execute(
            text(
                "UPDATE provider_details p SET priority = h.priority, active = h.active, version = 1, "
                "reason = h.reason, updated_at = h.updated_at, created_by = h.created_by "
                "FROM provider_details_history h WHERE h.id = p.id AND h.version = 1"
            )
        )


@pytest.fixture
def notify_db_session(notify_api: Flask) -> Iterator[None]:
    """An app context over a clean database and an empty Redis; cleaned again afterwards."""
    from app.caches import clear_app_caches

    with notify_api.app_context():
        redis = notify_api.extensions["redis"]
        redis.flushdb()
        clear_app_caches(notify_api.extensions)
        yield
        _clean_database()
        redis.flushdb()


@pytest.fixture
def send_task() -> Iterator[MagicMock]:
    """The task-queue seam patched: records what the code queues (name, args=, queue=, ...); nothing reaches the
    broker."""
    with patch("app.celery.task_queue.queue_task") as mock:
        yield mock


@pytest.fixture
def client(notify_api: Flask, notify_db_session: None) -> FlaskClient:
    return notify_api.test_client()


@pytest.fixture
def statsd_listener() -> Iterator[StatsdListener]:
    """A real UDP socket collecting what a statsd client sends."""
    listener = StatsdListener()
    yield listener
    listener.close()


@pytest.fixture
def installed_statsd_client(statsd_listener: StatsdListener) -> Iterator[StatsdClient]:
    """An enabled client sending to ``statsd_listener``, installed as the process client for one test."""
    from app.clients.statsd_client import StatsdClient, get_statsd_client, set_statsd_client

    previous = get_statsd_client()
    client = StatsdClient(enabled=True, host="127.0.0.1", port=statsd_listener.port, prefix=STATSD_PREFIX)
    set_statsd_client(client)
    yield client
    set_statsd_client(previous)
    client.close()


@pytest.fixture
def letters_directory(notify_api: Flask, tmp_path: Path) -> Iterator[Path]:
    """Letter PDFs go to a fresh directory for the test (local store)."""
    previous = notify_api.config["LETTERS_PDF_STORE"], notify_api.config["LETTERS_PDF_DIRECTORY"]
    notify_api.config.update(LETTERS_PDF_STORE="local", LETTERS_PDF_DIRECTORY=str(tmp_path))
    yield tmp_path
    notify_api.config["LETTERS_PDF_STORE"], notify_api.config["LETTERS_PDF_DIRECTORY"] = previous
