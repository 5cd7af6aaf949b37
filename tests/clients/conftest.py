"""Fixtures for the provider client tests: a statsd listener and a statsd client that sends to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.clients.statsd_client import StatsdClient
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener


@pytest.fixture
def statsd_client(statsd_listener: StatsdListener) -> Iterator[StatsdClient]:
    client = StatsdClient(enabled=True, host="127.0.0.1", port=statsd_listener.port, prefix=STATSD_PREFIX)
    yield client
    client.close()


@pytest.fixture
def disabled_statsd() -> StatsdClient:
    return StatsdClient(enabled=False)
