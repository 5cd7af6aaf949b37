"""Every route declares how it is authenticated, and an authenticated route refuses a request with no token."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.authentication.auth import requires_admin_auth, requires_auth, requires_no_auth
from app.ops.session_cookie import requires_ops_session
from tests.auth_helpers import create_jwt_token

AUTH_HOOKS = {requires_auth, requires_admin_auth, requires_no_auth, requires_ops_session}

# Blueprints open by design: each checks its caller another way (provider basic auth, SNS signatures) or
# serves nothing private. A new open blueprint must be added here on purpose.
# receipts_letter is open: a signed token in its query string names the one letter it may confirm.
# `documents` is the download page for files sent by email: its link carries the document's key.
OPEN_BLUEPRINTS = {
    "status",
    "receipts_sms",
    "receipts_ses",
    "receipts_inbound_sms",
    "receipts_letter",
    "v2_openapi",
    "documents",
    "ops_sign_in",
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    return routes


def _auth_hooks_of(app: Flask, endpoint: str) -> set[object]:
    blueprint = endpoint.rpartition(".")[0]
    return set(app.before_request_funcs.get(blueprint, [])) & AUTH_HOOKS


def _example_path(rule: str) -> str:
    with_choices = re.sub(r"<any\(([^,)]+)[^<>]*>", r"\1", rule)
    with_numbers = re.sub(r"<int(\([^)]*\))?:[^<>]+>", "1", with_choices)
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", str(uuid.uuid4()), with_numbers)


def test_every_route_belongs_to_a_blueprint_that_declares_exactly_one_auth_hook(notify_api: Flask) -> None:
    undeclared = [
        (endpoint, rule) for endpoint, _, rule in _routes(notify_api) if len(_auth_hooks_of(notify_api, endpoint)) != 1
    ]

    assert undeclared == []


def test_only_the_listed_blueprints_are_open(notify_api: Flask) -> None:
    open_blueprints = {
        endpoint.rpartition(".")[0]
        for endpoint, _, _ in _routes(notify_api)
        if _auth_hooks_of(notify_api, endpoint) == {requires_no_auth}
    }

    assert open_blueprints == OPEN_BLUEPRINTS


def test_every_authenticated_route_refuses_a_request_without_a_token(notify_api: Flask, client: FlaskClient) -> None:
    authenticated = [
        (method, rule)
        for endpoint, method, rule in _routes(notify_api)
        if _auth_hooks_of(notify_api, endpoint) != {requires_no_auth}
    ]
    assert len(authenticated) > 20

    answered = {route: client.open(_example_path(route[1]), method=route[0]).status_code for route in authenticated}

    assert {route: status for route, status in answered.items() if status != 401} == {}


@pytest.mark.parametrize("path", ["/v2/notifications", "/service"], ids=["public API", "admin API"])
def test_a_token_signed_with_a_wrong_secret_is_refused(client: FlaskClient, path: str) -> None:
    token = create_jwt_token("not-the-secret", str(uuid.uuid4()))

    response = client.get(path, headers={"Authorization": f"Bearer {token}"})

    assert response.status_code in (401, 403)
