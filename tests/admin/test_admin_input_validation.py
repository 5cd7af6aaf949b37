"""Hostile input to the admin API is refused in its envelope before it reaches PostgreSQL: never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.auth_helpers import admin_auth_header
from tests.factories import create_service, create_template

DEEPLY_NESTED = "[" * 5000 + "]" * 5000


def _admin(client: FlaskClient, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    response = client.open(path, method=method, headers=[admin_auth_header()], **kwargs)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Tax\x00office"}, "name"),
        ({"name": "Tax office", "created_by": "\x00"}, "created_by"),
        ({"name": "Tax office", "permissions": ["sms\x00"]}, "permissions"),
        ({"name": "Tax office", "nested\x00key": 1}, "nested\x00key"),
    ],
    ids=["value", "optional value", "list item", "key"],
)
def test_create_service_refuses_the_nul_character_anywhere(client: FlaskClient, body: Any, field: str) -> None:
    status, answer = _admin(client, "POST", "/service", json=body)

    assert (status, answer) == (400, {"result": "error", "message": {field: ["must not contain the NUL character"]}})


@pytest.mark.parametrize(
    "data",
    [DEEPLY_NESTED, '{"name": "\\ud800"}', "NaN", b'{"name": "\xff"}'],
    ids=["deeply nested", "lone surrogate", "NaN", "not UTF-8"],
)
def test_create_service_refuses_json_it_could_not_store(client: FlaskClient, data: str | bytes) -> None:
    status, answer = _admin(client, "POST", "/service", data=data, content_type="application/json")

    assert (status, answer) == (400, {"result": "error", "message": "Invalid JSON supplied in POST data"})


def test_update_service_refuses_a_local_part_with_a_trailing_newline(client: FlaskClient) -> None:
    service = create_service()

    status, answer = _admin(client, "POST", f"/service/{service.id}", json={"email_sender_local_part": "tax\n"})

    assert status == 400
    assert list(answer["message"]) == ["email_sender_local_part"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("rate_limit", 2**31), ("sms_message_limit", 2**63), ("email_message_limit", 10**30)],
    ids=["rate limit beyond integer", "sms limit beyond bigint", "email limit far beyond"],
)
def test_update_service_refuses_limits_its_columns_cannot_hold(client: FlaskClient, field: str, value: int) -> None:
    service = create_service()

    status, answer = _admin(client, "POST", f"/service/{service.id}", json={field: value})

    assert status == 400
    assert list(answer["message"]) == [field]


def test_template_version_beyond_a_postgresql_integer_is_not_found(client: FlaskClient) -> None:
    template = create_template()

    status, _answer = _admin(client, "GET", f"/service/{template.service_id}/template/{template.id}/version/{2**31}")

    assert status == 404


@pytest.mark.parametrize("days", ["%C2%B2", "%D9%A3", "1" * 50], ids=["superscript two", "arabic three", "huge"])
def test_statistics_refuse_days_that_are_not_a_small_ascii_number(client: FlaskClient, days: str) -> None:
    service = create_service()

    status, answer = _admin(client, "GET", f"/service/{service.id}/statistics?days={days}")

    assert (status, answer) == (
        400,
        {"result": "error", "message": {"days": ["days must be a whole number from 1 to 366"]}},
    )
