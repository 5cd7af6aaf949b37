"""recorded_provider_call counts each provider call's outcome and times it."""

from __future__ import annotations

import re

import pytest

from app.clients.provider_call_metrics import recorded_provider_call
from app.clients.statsd_client import StatsdClient
from tests.clients.statsd_listener import StatsdListener

REQUEST_TIME = re.compile(r"^test\.notifications\.api\.clients\.mmg\.request-time:\d+\.\d{6}\|ms$")


def test_a_call_that_returns_counts_a_success_then_its_request_time(
    statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    with recorded_provider_call(statsd_client, "mmg"):
        pass

    success, request_time = statsd_listener.receive(2)
    assert success == "test.notifications.api.clients.mmg.success:1|c"
    assert REQUEST_TIME.match(request_time)


def test_a_call_that_raises_counts_an_error_then_its_request_time(
    statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    with pytest.raises(ValueError, match="refused"), recorded_provider_call(statsd_client, "mmg"):
        raise ValueError("refused")

    error, request_time = statsd_listener.receive(2)
    assert error == "test.notifications.api.clients.mmg.error:1|c"
    assert REQUEST_TIME.match(request_time)
