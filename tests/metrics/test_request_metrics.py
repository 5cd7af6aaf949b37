"""Every request is counted and timed as `<METHOD>.<blueprint>.<view>.<status>`, with nothing sent when disabled."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from app.clients.statsd_client import StatsdClient
from tests.auth_helpers import service_auth_header
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_api_key, create_service, create_template


def metrics_of(datagrams: list[str]) -> list[tuple[str, str]]:
    """(name without the prefix, type) of each datagram, in arrival order."""
    pairs = []
    for datagram in datagrams:
        match = re.fullmatch(rf"{re.escape(STATSD_PREFIX)}\.(.+):[\d.]+\|(c|ms)", datagram)
        assert match, datagram
        pairs.append((match.group(1), match.group(2)))
    return pairs


def request_metrics(datagrams: list[str]) -> list[tuple[str, str]]:
    return [pair for pair in metrics_of(datagrams) if pair[0].split(".", 1)[0] in {"GET", "POST", "OTHER"}]


def test_a_sent_sms_is_counted_and_timed_by_blueprint_and_view_name(
    client: FlaskClient, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    service = create_service()
    template = create_template(service=service, content="Hello")
    api_key = create_api_key(service=service)

    response = client.post(
        "/v2/notifications/sms",
        json={"phone_number": "07700900123", "template_id": str(template.id)},
        headers=[service_auth_header(api_key)],
    )

    assert response.status_code == 201
    assert request_metrics(statsd_listener.receive_all()) == [
        ("POST.v2_notifications.post_notification.201", "c"),
        ("POST.v2_notifications.post_notification.201", "ms"),
    ]


def test_a_refused_request_is_named_by_its_status_code(
    client: FlaskClient, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    response = client.post("/v2/notifications/email", json={})

    assert response.status_code == 401
    assert request_metrics(statsd_listener.receive_all()) == [
        ("POST.v2_notifications.post_notification.401", "c"),
        ("POST.v2_notifications.post_notification.401", "ms"),
    ]


def test_a_request_for_no_route_names_no_path(
    client: FlaskClient, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    response = client.get("/v2/no-such-thing/12345")

    assert response.status_code == 404
    assert request_metrics(statsd_listener.receive_all()) == [
        ("GET.app.no_route.404", "c"),
        ("GET.app.no_route.404", "ms"),
    ]


def test_an_unusual_method_is_counted_as_other(
    client: FlaskClient, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    response = client.open("/_status", method="BREW")

    assert response.status_code == 405
    assert request_metrics(statsd_listener.receive_all()) == [
        ("OTHER.app.no_route.405", "c"),
        ("OTHER.app.no_route.405", "ms"),
    ]


def test_a_request_sends_nothing_while_statsd_is_disabled(client: FlaskClient, statsd_listener: StatsdListener):
    response = client.post("/v2/notifications/sms", json={})

    assert response.status_code == 401
    assert statsd_listener.receive_all(quiet_seconds=0.3) == []
