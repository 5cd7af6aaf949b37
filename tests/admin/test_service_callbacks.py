"""The admin API for a service's callbacks: set (the URL checked by the destination policy), read back, delete."""

from __future__ import annotations

import socket
from ipaddress import ip_network
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.callbacks import destination_policy
from app.dao.service_callback_dao import dao_list_service_callbacks
from tests.auth_helpers import admin_auth_header
from tests.factories import create_service

TOKEN = "service-bearer-token-123"
FORBIDDEN_CHARACTERS = "Callback URL must not contain whitespace, backslashes or control characters"


def _admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json(silent=True)


@pytest.fixture
def production_policy(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The production default: no local network allowed."""
    monkeypatch.setitem(notify_api.config, "CALLBACK_LOCAL_NETWORKS", ())


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The system resolver (the outside world) answers every name with one public address."""

    def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(destination_policy, "getaddrinfo", getaddrinfo)


def _set(client: FlaskClient, service_id: object, url: str, callback_type: str = "delivery_status") -> tuple[int, Any]:
    body = {"callback_type": callback_type, "url": url, "bearer_token": TOKEN}
    return _admin(client, "POST", f"/service/{service_id}/callback", body)


def test_a_callback_set_to_a_public_https_url_is_read_back_without_its_secrets(
    client: FlaskClient, production_policy: None, public_dns: None
) -> None:
    service = create_service()
    _set(client, service.id, "https://Callbacks.Example.com/status")

    status, body = _admin(client, "GET", f"/service/{service.id}/callback/delivery_status")

    assert status == 200
    data = body["data"]
    assert (data["callback_type"], data["url"], data["has_bearer_token"]) == (
        "delivery_status",
        "https://callbacks.example.com/status",
        True,
    )
    assert TOKEN not in str(body)
    assert "signing_secret" not in data


def test_setting_a_callback_answers_its_signing_secret_once(
    client: FlaskClient, production_policy: None, public_dns: None
) -> None:
    service = create_service()

    status, body = _set(client, service.id, "https://callbacks.example.com/status", callback_type="complaint")

    assert status == 201
    assert (body["data"]["callback_type"], len(body["data"]["signing_secret"])) == ("complaint", 43)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://callbacks.example.com/status", "Callback URL must use https"),
        ("https://127.0.0.1:6011/status", "Callback URL must point to a public internet address"),
        ("https://169.254.169.254/latest/meta-data/", "Callback URL must point to a public internet address"),
        ("https://[::ffff:10.0.0.1]/status", "Callback URL must point to a public internet address"),
        ("https://localhost/status", "Callback URL must point to a public internet address"),
        ("https://user:pw@callbacks.example.com/", "Callback URL must not contain a user name or password"),
        ("https://evil.example\\@callbacks.example.com/", FORBIDDEN_CHARACTERS),
    ],
)
def test_a_callback_url_breaking_the_policy_is_refused_with_the_rule_and_nothing_is_stored(
    client: FlaskClient, production_policy: None, public_dns: None, url: str, message: str
) -> None:
    service = create_service()

    status, body = _set(client, service.id, url)

    assert (status, body) == (400, {"result": "error", "message": {"url": [message]}})
    assert _admin(client, "GET", f"/service/{service.id}/callback/delivery_status")[0] == 404


def test_a_callback_host_resolving_to_loopback_is_refused_when_set(
    client: FlaskClient, production_policy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def getaddrinfo(host: str, port: int, **kwargs: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(destination_policy, "getaddrinfo", getaddrinfo)
    service = create_service()

    status, body = _set(client, service.id, "https://callbacks.example.com/status")

    assert (status, body["message"]) == (400, {"url": ["Callback URL must point to a public internet address"]})


def test_a_local_receiver_is_accepted_over_http_when_its_network_is_allowed(
    client: FlaskClient, notify_api: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "CALLBACK_LOCAL_NETWORKS", (ip_network("127.0.0.0/8"),))
    service = create_service()

    status, body = _set(client, service.id, "http://127.0.0.1:6123/status")

    assert (status, body["data"]["url"]) == (201, "http://127.0.0.1:6123/status")


@pytest.mark.parametrize(
    "token", ["short", "token-1234567\r\nX-Injected: yes", "token with spaces", "t" * 1001], ids=repr
)
def test_a_bearer_token_that_cannot_travel_in_a_header_is_refused(
    client: FlaskClient, production_policy: None, public_dns: None, token: str
) -> None:
    service = create_service()
    body = {"url": "https://callbacks.example.com/status", "bearer_token": token}

    status, answer = _admin(client, "POST", f"/service/{service.id}/callback", body)

    assert status == 400
    assert answer["message"] == {
        "bearer_token": ["Bearer token must be 10 to 1000 characters, printable ASCII without spaces"]
    }


def test_deleting_a_callback_removes_it_and_leaves_the_others(
    client: FlaskClient, production_policy: None, public_dns: None
) -> None:
    service = create_service()
    _set(client, service.id, "https://callbacks.example.com/status")
    _set(client, service.id, "https://callbacks.example.com/inbound", callback_type="inbound_sms")

    status, _ = _admin(client, "DELETE", f"/service/{service.id}/callback/delivery_status")

    assert status == 204
    assert _admin(client, "GET", f"/service/{service.id}/callback/delivery_status")[0] == 404
    assert [callback.callback_type for callback in dao_list_service_callbacks(service.id)] == ["inbound_sms"]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_callback_that_is_not_set_is_404_in_the_admin_envelope(client: FlaskClient, method: str) -> None:
    service = create_service()

    status, body = _admin(client, method, f"/service/{service.id}/callback/complaint")

    assert (status, body) == (404, {"result": "error", "message": "Service has no complaint callback"})


def test_an_unknown_callback_type_is_404(client: FlaskClient) -> None:
    service = create_service()

    status, _ = _admin(client, "GET", f"/service/{service.id}/callback/anything")

    assert status == 404
