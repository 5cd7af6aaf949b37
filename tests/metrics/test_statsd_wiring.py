"""create_app installs the statsd client its configuration asks for, so the API and the worker both emit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.clients.statsd_client import build_statsd_client, get_statsd_client, set_statsd_client
from app.statsd_decorators import statsd
from tests.clients.statsd_listener import StatsdListener


@pytest.fixture
def restore_process_wiring(notify_api: Flask) -> Iterator[None]:
    """create_app replaces process-wide things (statsd client, default Celery app): put the session's back."""
    previous = get_statsd_client()
    yield
    get_statsd_client().close()
    set_statsd_client(previous)
    notify_api.extensions["celery"].set_default()


@statsd(namespace="dao")
def dao_count_something() -> int:
    return 3


def test_create_app_installs_an_enabled_client_sending_to_the_configured_port(
    restore_process_wiring: None, statsd_listener: StatsdListener
):
    create_app({"STATSD_ENABLED": True, "STATSD_HOST": "127.0.0.1", "STATSD_PORT": statsd_listener.port})

    get_statsd_client().incr("wiring.check")

    assert statsd_listener.receive(1) == ["test.notifications.api.wiring.check:1|c"]


def test_create_app_installs_a_client_that_sends_nothing_when_disabled(
    restore_process_wiring: None, statsd_listener: StatsdListener
):
    create_app({"STATSD_ENABLED": False, "STATSD_HOST": "127.0.0.1", "STATSD_PORT": statsd_listener.port})

    client = get_statsd_client()
    client.incr("wiring.check")
    client.timing("wiring.check", 1.0)
    dao_count_something()

    assert client.is_enabled is False
    assert statsd_listener.receive_all(quiet_seconds=0.3) == []


def test_a_disabled_client_opens_no_socket(statsd_listener: StatsdListener):
    client = build_statsd_client({"STATSD_ENABLED": False, "STATSD_PORT": statsd_listener.port})

    assert client._client is None
