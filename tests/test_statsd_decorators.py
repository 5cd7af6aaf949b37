"""@statsd counts and times each successful call as `<namespace>.<function name>`, through the process client."""

from __future__ import annotations

import re

import pytest

from app.clients.statsd_client import StatsdClient, get_statsd_client, set_statsd_client
from app.statsd_decorators import statsd
from tests.clients.statsd_listener import StatsdListener


@statsd(namespace="tasks")
def deliver_sms(notification_id: str) -> str:
    """Deliver one text message."""
    return f"delivered {notification_id}"


@statsd(namespace="dao")
def dao_create_notification() -> None:
    raise RuntimeError("the database is down")


def test_a_successful_call_returns_the_functions_result(installed_statsd_client: StatsdClient):
    assert deliver_sms("abc") == "delivered abc"


def test_a_successful_call_sends_a_count_then_a_timing_in_milliseconds(
    installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    deliver_sms("abc")

    count, timing = statsd_listener.receive(2)
    assert count == "test.notifications.api.tasks.deliver_sms:1|c"
    assert re.fullmatch(r"test\.notifications\.api\.tasks\.deliver_sms:\d+\.\d{6}\|ms", timing)


def test_a_call_that_raises_sends_nothing(installed_statsd_client: StatsdClient, statsd_listener: StatsdListener):
    with pytest.raises(RuntimeError, match="database is down"):
        dao_create_notification()

    assert statsd_listener.receive_all() == []


def test_the_client_installed_after_decoration_is_the_one_used(statsd_listener: StatsdListener):
    previous = get_statsd_client()
    late_client = StatsdClient(enabled=True, host="127.0.0.1", port=statsd_listener.port, prefix="late")
    set_statsd_client(late_client)
    try:
        deliver_sms("abc")
    finally:
        set_statsd_client(previous)
        late_client.close()

    assert statsd_listener.receive(1) == ["late.tasks.deliver_sms:1|c"]


def test_the_decorated_function_keeps_its_name_and_docstring():
    assert (deliver_sms.__name__, deliver_sms.__doc__) == ("deliver_sms", "Deliver one text message.")
