"""Fixtures for whole-stack tests: a live Herald API under gunicorn on the test session's database and Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from notifications_python_client import NotificationsAPIClient

from devstack import processes
from devstack.group import ProcessGroup
from devstack.network import free_port
from tests.e2e.live_service import LiveService, create_live_service
from tests.e2e.stack import HeraldStack


@pytest.fixture(scope="session")
def live_herald_url(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of Herald's API served by gunicorn (`-c gunicorn_config.py application:app`), sharing the
    session's database and Redis, so data made with the factories is what the live API sees."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    group = ProcessGroup(
        {
            **os.environ,
            "NOTIFY_ENVIRONMENT": "test",
            "DATABASE_URL": notify_api.config["DATABASE_URL"],
            "REDIS_URL": notify_api.config["REDIS_URL"],
            "HOST": "127.0.0.1",
            "API_HOST_NAME": url,
            # Files sent by email are kept in the session's own directory, not the developer's .data/documents.
            "DOCUMENTS_DIRECTORY": str(tmp_path_factory.mktemp("live-herald-documents")),
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "4",
            "PYTHONUNBUFFERED": "1",
        },
        log_dir=tmp_path_factory.mktemp("live-herald"),
    )
    try:
        group.start(processes.api(port))
        yield url
    finally:
        group.stop()


# The fixtures below serve every module that starts a stack of its own: each defines a `stack` fixture.


@pytest.fixture
def live_service(notify_db_session: None) -> LiveService:
    return create_live_service()


@pytest.fixture
def simulator(stack: HeraldStack) -> Iterator[str]:
    """The simulator's base URL; its behaviour is back to the start-up settings after each test."""
    yield stack.simulator_url
    requests.delete(f"{stack.simulator_url}/_simulator/config", timeout=5).raise_for_status()


@pytest.fixture
def notify_client(stack: HeraldStack, live_service: LiveService) -> Iterator[NotificationsAPIClient]:
    client = NotificationsAPIClient(live_service.key_string, base_url=stack.api_url)
    yield client
    client.request_session.close()
