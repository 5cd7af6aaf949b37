"""Fixtures for the metrics tests: a real UDP listener, and a process statsd client that sends to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.clients.statsd_client import StatsdClient, get_statsd_client, set_statsd_client
from tests.clients.statsd_listener import StatsdListener

STATSD_PREFIX = "test.notifications.api"


@pytest.fixture
def statsd_listener() -> Iterator[StatsdListener]:
    listener = StatsdListener()
    yield listener
    listener.close()


@pytest.fixture
def installed_statsd_client(statsd_listener: StatsdListener) -> Iterator[StatsdClient]:
    """An enabled client sending to ``statsd_listener``, installed as the process client for one test."""
    previous = get_statsd_client()
    client = StatsdClient(enabled=True, host="127.0.0.1", port=statsd_listener.port, prefix=STATSD_PREFIX)
    set_statsd_client(client)
    yield client
    set_statsd_client(previous)
    client.close()
