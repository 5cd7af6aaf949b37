"""A service's share of the bulk lane: set through the admin API, bounded, kept in the service's history."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import ServiceHistory
from tests.auth_helpers import admin_auth_header


def _admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def _new_service(client: FlaskClient) -> dict[str, Any]:
    status, body = _admin(client, "POST", "/service", {"name": f"Service {uuid.uuid4().hex[:8]}"})
    assert status == 201, body
    return body["data"]


def test_a_new_service_has_the_default_weight_of_one(client: FlaskClient) -> None:
    service = _new_service(client)

    assert service["bulk_share_weight"] == 1


def test_the_weight_is_updated_and_kept_in_the_service_history(client: FlaskClient) -> None:
    service = _new_service(client)

    status, body = _admin(client, "POST", f"/service/{service['id']}", {"bulk_share_weight": 5})

    assert (status, body["data"]["bulk_share_weight"], body["data"]["version"]) == (200, 5, 2)
    history = db.session.execute(
        select(ServiceHistory.version, ServiceHistory.bulk_share_weight)
        .where(ServiceHistory.id == uuid.UUID(service["id"]))
        .order_by(ServiceHistory.version)
    ).all()
    assert [tuple(row) for row in history] == [(1, 1), (2, 5)]


@pytest.mark.parametrize("weight", [0, -3, "7", 2**31, 1.5], ids=["zero", "negative", "string", "huge", "fraction"])
def test_a_weight_that_is_not_a_positive_integer_is_refused(client: FlaskClient, weight: object) -> None:
    service = _new_service(client)

    status, _body = _admin(client, "POST", f"/service/{service['id']}", {"bulk_share_weight": weight})

    assert status == 400


def test_a_weight_above_the_configured_largest_is_refused(
    client: FlaskClient, notify_api: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "BULK_SHARE_WEIGHT_MAX", 10)
    service = _new_service(client)

    status, body = _admin(client, "POST", f"/service/{service['id']}", {"bulk_share_weight": 11})

    assert (status, body) == (400, {"result": "error", "message": {"bulk_share_weight": ["Must be at most 10"]}})
