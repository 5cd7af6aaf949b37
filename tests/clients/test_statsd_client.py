"""StatsdClient sends exact statsd datagrams over UDP when enabled, and nothing at all when disabled."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.clients import statsd_client as statsd_client_module
from app.clients.statsd_client import (
    StatsdClient,
    build_statsd_client,
    get_statsd_client,
    set_statsd_client,
)
from tests.clients.statsd_listener import StatsdListener


@pytest.fixture
def restore_process_statsd_client() -> Iterator[None]:
    installed = get_statsd_client()
    yield
    set_statsd_client(installed)


def test_incr_sends_a_counter_of_one_under_the_prefix(statsd_client: StatsdClient, statsd_listener: StatsdListener):
    statsd_client.incr("clients.mmg.success")

    assert statsd_listener.receive(1) == ["test.notifications.api.clients.mmg.success:1|c"]


def test_incr_sends_the_count_given(statsd_client: StatsdClient, statsd_listener: StatsdListener):
    statsd_client.incr("jobs.rows", count=5)

    assert statsd_listener.receive(1) == ["test.notifications.api.jobs.rows:5|c"]


def test_timing_sends_milliseconds(statsd_client: StatsdClient, statsd_listener: StatsdListener):
    statsd_client.timing("clients.mmg.request-time", duration_ms=12.5)

    assert statsd_listener.receive(1) == ["test.notifications.api.clients.mmg.request-time:12.500000|ms"]


def test_timing_with_dates_sends_the_time_between_them_in_milliseconds(
    statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    start = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

    statsd_client.timing_with_dates("sms.total-time", start + timedelta(seconds=2, milliseconds=250), start)

    assert statsd_listener.receive(1) == ["test.notifications.api.sms.total-time:2250.000000|ms"]


def test_a_closed_client_sends_nothing_more(statsd_listener: StatsdListener):
    client = StatsdClient(enabled=True, host="127.0.0.1", port=statsd_listener.port, prefix="test.notifications.api")

    client.close()
    client.incr("clients.mmg.success")

    assert statsd_listener.receive_all() == []


def test_gauge_sends_the_value(statsd_client: StatsdClient, statsd_listener: StatsdListener):
    statsd_client.gauge("queue.depth", 7)

    assert statsd_listener.receive(1) == ["test.notifications.api.queue.depth:7|g"]


def test_gauge_with_is_delta_sends_a_signed_change(statsd_client: StatsdClient, statsd_listener: StatsdListener):
    statsd_client.gauge("queue.depth", 3, is_delta=True)

    assert statsd_listener.receive(1) == ["test.notifications.api.queue.depth:+3|g"]


def test_a_disabled_client_sends_nothing(statsd_listener: StatsdListener):
    client = StatsdClient(enabled=False, host="127.0.0.1", port=statsd_listener.port, prefix="test.notifications.api")

    client.incr("clients.mmg.success")
    client.timing("clients.mmg.request-time", 1.0)
    client.timing_with_dates("sms.total-time", datetime.now(UTC), datetime.now(UTC))
    client.gauge("queue.depth", 1)

    assert statsd_listener.receive_all() == []


def test_a_disabled_client_opens_no_socket(monkeypatch: pytest.MonkeyPatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a disabled client must not create a StatsClient")

    monkeypatch.setattr(statsd_client_module, "StatsClient", refuse)

    client = StatsdClient(enabled=False, host="127.0.0.1", port=8125, prefix="test.notifications.api")

    assert client.is_enabled is False


def test_build_statsd_client_prefixes_metrics_with_the_environment(statsd_listener: StatsdListener):
    config = {
        "STATSD_ENABLED": True,
        "STATSD_HOST": "127.0.0.1",
        "STATSD_PORT": statsd_listener.port,
        "NOTIFY_ENVIRONMENT": "staging",
    }

    client = build_statsd_client(config)

    client.incr("clients.ses.success")

    client.close()
    assert statsd_listener.receive(1) == ["staging.notifications.api.clients.ses.success:1|c"]


def test_build_statsd_client_is_disabled_unless_statsd_is_enabled():
    client = build_statsd_client({"NOTIFY_ENVIRONMENT": "test"})

    assert client.is_enabled is False


def test_set_statsd_client_installs_the_client_get_statsd_client_returns(
    restore_process_statsd_client: None, statsd_client: StatsdClient
):
    set_statsd_client(statsd_client)

    assert get_statsd_client() is statsd_client
