"""Admin API: letter contact blocks and letter templates (postage, contact block, versions)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.auth_helpers import admin_auth_header

CONTACT = "Government Digital Service\nThe White Chapel Building\nLondon\nE1 8QS"


def _admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def _service(client: FlaskClient) -> str:
    status, body = _admin(client, "POST", "/service", {"name": "Letters office", "permissions": ["letter"]})
    assert status == 201, body
    return str(body["data"]["id"])


def test_contact_blocks_are_added_listed_read_and_have_one_default(client: FlaskClient) -> None:
    service_id = _service(client)

    first = _admin(
        client, "POST", f"/service/{service_id}/letter-contact", {"contact_block": CONTACT, "is_default": True}
    )
    second = _admin(client, "POST", f"/service/{service_id}/letter-contact", {"contact_block": "B", "is_default": True})
    _, listed = _admin(client, "GET", f"/service/{service_id}/letter-contact")
    _, one = _admin(client, "GET", f"/service/{service_id}/letter-contact/{first[1]['data']['id']}")

    assert (first[0], second[0]) == (201, 201)
    assert [(contact["contact_block"], contact["is_default"]) for contact in listed] == [("B", True), (CONTACT, False)]
    assert one["contact_block"] == CONTACT
    assert set(one) == {"id", "service_id", "contact_block", "is_default", "created_at", "updated_at"}


def test_a_contact_block_is_updated_and_archived(client: FlaskClient) -> None:
    service_id = _service(client)
    _, created = _admin(
        client, "POST", f"/service/{service_id}/letter-contact", {"contact_block": "A", "is_default": True}
    )
    contact_id = created["data"]["id"]

    status, updated = _admin(
        client,
        "POST",
        f"/service/{service_id}/letter-contact/{contact_id}",
        {"contact_block": "A2", "is_default": True},
    )
    archive_status, archived = _admin(client, "POST", f"/service/{service_id}/letter-contact/{contact_id}/archive")
    _, listed = _admin(client, "GET", f"/service/{service_id}/letter-contact")

    assert (status, updated["data"]["contact_block"]) == (200, "A2")
    assert (archive_status, archived["data"]["is_default"]) == (200, False)
    assert listed == []


def test_a_contact_block_longer_than_ten_lines_is_refused(client: FlaskClient) -> None:
    service_id = _service(client)

    status, body = _admin(
        client,
        "POST",
        f"/service/{service_id}/letter-contact",
        {"contact_block": "\n".join(["line"] * 11), "is_default": False},
    )

    assert (status, body) == (
        400,
        {"result": "error", "message": {"contact_block": ["Contact block must be 10 lines or fewer"]}},
    )


def test_a_letter_template_gets_second_class_postage_and_keeps_its_contact_block_per_version(
    client: FlaskClient,
) -> None:
    service_id = _service(client)
    _, contact = _admin(
        client, "POST", f"/service/{service_id}/letter-contact", {"contact_block": CONTACT, "is_default": True}
    )
    _, created = _admin(
        client,
        "POST",
        f"/service/{service_id}/template",
        {"name": "Untitled", "template_type": "letter", "subject": "Main heading", "content": "Body"},
    )
    template_id = created["data"]["id"]

    _, updated = _admin(
        client,
        "POST",
        f"/service/{service_id}/template/{template_id}",
        {"content": "Hello ((address_line_1))", "service_letter_contact_id": contact["data"]["id"], "postage": "first"},
    )
    _, version_1 = _admin(client, "GET", f"/service/{service_id}/template/{template_id}/version/1")

    assert (created["data"]["postage"], created["data"]["service_letter_contact_id"]) == ("second", None)
    assert (updated["data"]["version"], updated["data"]["postage"]) == (2, "first")
    assert updated["data"]["service_letter_contact_id"] == contact["data"]["id"]
    assert version_1["data"]["service_letter_contact_id"] is None


def test_a_letter_template_needs_a_heading_and_a_contact_block_of_its_own_service(client: FlaskClient) -> None:
    service_id = _service(client)
    status, body = _admin(
        client, "POST", f"/service/{service_id}/template", {"name": "L", "template_type": "letter", "content": "Body"}
    )
    _, other = _admin(client, "POST", "/service", {"name": "Other office"})
    other_id = other["data"]["id"]
    _, foreign = _admin(
        client, "POST", f"/service/{other_id}/letter-contact", {"contact_block": "X", "is_default": True}
    )
    foreign_status, foreign_body = _admin(
        client,
        "POST",
        f"/service/{service_id}/template",
        {
            "name": "L",
            "template_type": "letter",
            "subject": "H",
            "content": "Body",
            "service_letter_contact_id": foreign["data"]["id"],
        },
    )

    assert (status, body["message"]) == (400, {"subject": ["Letter templates need a subject (their heading)"]})
    assert foreign_status == 400
    assert foreign_body["message"] == (
        f"letter_contact_id {foreign['data']['id']} does not exist in database for service id {service_id}"
    )


def test_a_letter_limit_is_set_on_the_service(client: FlaskClient) -> None:
    service_id = _service(client)

    _, before = _admin(client, "GET", f"/service/{service_id}")
    _, after = _admin(client, "POST", f"/service/{service_id}", {"letter_message_limit": 5})

    assert (before["data"]["letter_message_limit"], after["data"]["letter_message_limit"]) == (20_000, 5)
