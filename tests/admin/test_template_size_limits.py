"""Template content is bounded when it is saved, so nothing stored can make rendering unbounded."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.auth_helpers import admin_auth_header


def _admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json()


@pytest.fixture
def service_id(client: FlaskClient) -> str:
    status, body = _admin(client, "POST", "/service", {"name": "Limits office", "created_by": "someone"})
    assert status == 201
    return body["data"]["id"]


def _create(client: FlaskClient, service_id: str, **fields: Any) -> tuple[int, Any]:
    return _admin(client, "POST", f"/service/{service_id}/template", {"name": "T", **fields})


def test_an_sms_template_of_918_characters_is_saved(client: FlaskClient, service_id: str) -> None:
    assert _create(client, service_id, template_type="sms", content="a" * 918)[0] == 201


@pytest.mark.parametrize("content", ["a" * 919, "[" * 460, "a" * 2_000_001], ids=["919", "extension", "huge"])
def test_an_sms_template_over_918_characters_is_refused(client: FlaskClient, service_id: str, content: str) -> None:
    status, body = _create(client, service_id, template_type="sms", content=content)

    assert (status, body["message"]) == (
        400,
        {"content": ["Content has a character count greater than the limit of 918"]},
    )


def test_an_email_template_over_2000000_bytes_is_refused(client: FlaskClient, service_id: str) -> None:
    status, body = _create(client, service_id, template_type="email", subject="s", content="é" * 1_000_001)

    assert (status, body["message"]) == (
        400,
        {"content": ["Content has a size greater than the limit of 2000000 bytes"]},
    )


def test_an_update_is_bounded_too(client: FlaskClient, service_id: str) -> None:
    template = _create(client, service_id, template_type="sms", content="Hi")[1]["data"]

    status, body = _admin(client, "POST", f"/service/{service_id}/template/{template['id']}", {"content": "a" * 919})

    assert (status, body["message"]) == (
        400,
        {"content": ["Content has a character count greater than the limit of 918"]},
    )
