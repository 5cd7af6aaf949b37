"""Fixtures for the provider client tests: a statsd listener and a statsd client that sends to it, and real TCP
endpoints that fail the ways a provider's network can (closed, silent, hanging up after the request)."""

from __future__ import annotations

import socket
import threading
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


@pytest.fixture
def closed_endpoint() -> str:
    """A port nothing listens on: the connection is refused before any byte of the request leaves."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A port whose connections the kernel completes but that never answers (the request is sent, then nothing)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def hanging_up_endpoint() -> Iterator[str]:
    """Reads the start of each request, then closes the connection without answering: the request was sent."""
    listener = socket.create_server(("127.0.0.1", 0))

    def read_and_hang_up() -> None:
        while True:
            try:
                connection, _address = listener.accept()
            except OSError:
                return  # the listener was closed
            with connection:
                connection.recv(65536)

    threading.Thread(target=read_and_hang_up, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
