"""Admin provider endpoints: list the providers and their history, change a priority or switch one off."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from app.dao.provider_details_dao import dao_get_provider_details_by_identifier
from tests.auth_helpers import admin_auth_header


def _admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def _provider_id(identifier: str) -> str:
    return str(dao_get_provider_details_by_identifier(identifier).id)


def test_listing_shows_every_provider_with_its_weight(client: FlaskClient) -> None:
    status, body = _admin(client, "GET", "/provider-details")

    assert status == 200
    assert {(p["identifier"], p["priority"], p["active"]) for p in body["provider_details"]} == {
        ("ses", 100, True),
        ("mmg", 51, True),
        ("firetext", 49, True),
    }


def test_changing_a_priority_answers_the_new_version(client: FlaskClient) -> None:
    status, body = _admin(
        client, "POST", f"/provider-details/{_provider_id('mmg')}", {"priority": 30, "reason": "MMG is slow today"}
    )

    assert status == 200
    details = body["provider_details"]
    assert (details["priority"], details["version"], details["reason"]) == (30, 2, "MMG is slow today")


def test_switching_a_provider_off_is_kept_in_its_history(client: FlaskClient) -> None:
    provider_id = _provider_id("firetext")
    _admin(
        client, "POST", f"/provider-details/{provider_id}", {"active": False, "reason": "outage", "created_by": "ops"}
    )

    status, body = _admin(client, "GET", f"/provider-details/{provider_id}/versions")

    assert status == 200
    assert [(v["version"], v["active"], v["reason"], v["created_by"]) for v in body["data"]] == [
        (2, False, "outage", "ops"),
        (1, True, "initial provider set-up", "migration"),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"priority": 30}, {"reason": ["Missing data for required field."]}),
        (
            {"priority": 101, "reason": "x"},
            {"priority": ["Must be greater than or equal to 0 and less than or equal to 100."]},
        ),
        ({"reason": "nothing to change"}, {"_schema": ["Give a priority or an active flag to change"]}),
        ({"identifier": "other", "active": True, "reason": "x"}, {"identifier": ["Unknown field."]}),
    ],
    ids=["no reason", "priority out of range", "nothing to change", "field that cannot change"],
)
def test_a_bad_update_is_refused_and_changes_nothing(
    client: FlaskClient, body: dict[str, Any], message: dict[str, list[str]]
) -> None:
    status, answer = _admin(client, "POST", f"/provider-details/{_provider_id('mmg')}", body)

    assert (status, answer) == (400, {"result": "error", "message": message})
    assert dao_get_provider_details_by_identifier("mmg").version == 1


def test_an_unknown_provider_is_not_found(client: FlaskClient) -> None:
    status, body = _admin(client, "GET", "/provider-details/6a2e8a4e-35a5-4a4b-9d3c-36c1e9a50b29/versions")

    assert (status, body) == (404, {"result": "error", "message": "No result found"})


def test_the_endpoints_need_admin_auth(client: FlaskClient) -> None:
    response = client.get("/provider-details")

    assert response.status_code == 401
