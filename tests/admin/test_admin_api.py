"""The internal admin API: services, keys and templates, end to end through HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import ServiceHistory
from tests.auth_helpers import admin_auth_header, create_jwt_token


def _admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def _create_service(client: FlaskClient, **settings: Any) -> dict[str, Any]:
    status, body = _admin(client, "POST", "/service", {"name": "Tax office", **settings})
    assert status == 201, body
    return body["data"]


def test_create_service_defaults_to_trial_with_sms_and_email(client: FlaskClient) -> None:
    service = _create_service(client)

    assert (service["restricted"], service["permissions"], service["email_sender_local_part"]) == (
        True,
        ["email", "sms"],
        "tax.office",
    )


def test_create_service_rejects_a_duplicate_name(client: FlaskClient) -> None:
    _create_service(client)

    status, body = _admin(client, "POST", "/service", {"name": "Tax office"})

    assert (status, body) == (400, {"result": "error", "message": {"name": ["Duplicate service name 'Tax office'"]}})


def test_update_service_changes_settings_and_permissions(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(
        client,
        "POST",
        f"/service/{service['id']}",
        {"restricted": False, "rate_limit": 10, "permissions": ["sms", "international_sms"]},
    )

    assert status == 200
    assert (body["data"]["restricted"], body["data"]["rate_limit"], body["data"]["permissions"]) == (
        False,
        10,
        ["international_sms", "sms"],
    )
    assert body["data"]["version"] == 2


def test_guest_list_is_replaced_with_normalised_entries(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(
        client,
        "PUT",
        f"/service/{service['id']}/guest-list",
        {"email_addresses": ["Someone@Example.com"], "phone_numbers": ["07700 900123"]},
    )

    assert status == 200
    assert sorted(entry["recipient"] for entry in body["data"]) == ["447700900123", "someone@example.com"]


def test_guest_list_with_a_bad_entry_changes_nothing(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(
        client,
        "PUT",
        f"/service/{service['id']}/guest-list",
        {"email_addresses": ["ok@example.com", "not an email"]},
    )

    assert status == 400
    assert body["message"] == ["Invalid guest list: not an email is not a valid email address"]
    assert _admin(client, "GET", f"/service/{service['id']}")[1]["data"]["guest_list"] == []


def test_senders_and_reply_tos_have_one_default(client: FlaskClient) -> None:
    service = _create_service(client)
    _admin(client, "POST", f"/service/{service['id']}/sms-sender", {"sms_sender": "FIRST", "is_default": True})
    _admin(client, "POST", f"/service/{service['id']}/sms-sender", {"sms_sender": "SECOND", "is_default": True})

    senders = _admin(client, "GET", f"/service/{service['id']}")[1]["data"]["sms_senders"]

    assert [(sender["sms_sender"], sender["is_default"]) for sender in senders] == [
        ("FIRST", False),
        ("SECOND", True),
    ]


def test_api_key_is_returned_once_in_full_and_then_listed_without_secret(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(client, "POST", f"/service/{service['id']}/api-key", {"name": "My Key", "key_type": "normal"})
    listed = _admin(client, "GET", f"/service/{service['id']}/api-keys")[1]["apiKeys"]

    assert status == 201
    key = body["data"]["key"]
    assert key[-73:-37] == service["id"]
    assert key.startswith("my_key-")
    assert len(key[-36:]) == 36
    assert "key" not in listed[0]
    assert "secret" not in listed[0]


def test_api_key_secret_is_encrypted_at_rest(client: FlaskClient) -> None:
    from sqlalchemy import text

    from app.extensions import db

    service = _create_service(client)
    key = _admin(client, "POST", f"/service/{service['id']}/api-key", {"name": "k", "key_type": "test"})[1]["data"]

    stored = db.session.execute(text("SELECT secret FROM api_keys")).scalar_one()

    assert key["key"][-36:] not in stored


def test_revoked_key_stays_listed_with_expiry_date(client: FlaskClient) -> None:
    service = _create_service(client)
    key = _admin(client, "POST", f"/service/{service['id']}/api-key", {"name": "k", "key_type": "team"})[1]["data"]

    status, body = _admin(client, "POST", f"/service/{service['id']}/api-key/revoke/{key['id']}")

    assert status == 202
    assert body["data"]["expiry_date"] is not None


def test_template_update_creates_a_new_version_and_keeps_the_old_one(client: FlaskClient) -> None:
    service = _create_service(client)
    template = _admin(
        client,
        "POST",
        f"/service/{service['id']}/template",
        {"name": "Welcome", "template_type": "email", "subject": "Hi ((name))", "content": "Version one"},
    )[1]["data"]

    status, updated = _admin(
        client, "POST", f"/service/{service['id']}/template/{template['id']}", {"content": "Version two"}
    )
    old = _admin(client, "GET", f"/service/{service['id']}/template/{template['id']}/version/1")[1]["data"]

    assert status == 200
    assert (updated["data"]["version"], updated["data"]["content"]) == (2, "Version two")
    assert (old["version"], old["content"]) == (1, "Version one")


def test_a_template_is_normal_unless_made_priority_and_its_history_keeps_each_process_type(
    client: FlaskClient,
) -> None:
    service = _create_service(client)
    path = f"/service/{service['id']}/template"
    created = _admin(client, "POST", path, {"name": "Code", "template_type": "sms", "content": "Your code is ((code))"})
    template_path = f"{path}/{created[1]['data']['id']}"

    status, updated = _admin(client, "POST", template_path, {"process_type": "priority"})
    read = _admin(client, "GET", template_path)[1]["data"]
    versions = _admin(client, "GET", f"{template_path}/versions")[1]["data"]
    first = _admin(client, "GET", f"{template_path}/version/1")[1]["data"]

    assert (created[0], created[1]["data"]["process_type"]) == (201, "normal")
    assert (status, updated["data"]["process_type"], updated["data"]["version"]) == (200, "priority", 2)
    assert read["process_type"] == "priority"
    assert [(version["version"], version["process_type"]) for version in versions] == [(2, "priority"), (1, "normal")]
    assert first["process_type"] == "normal"


def test_a_template_is_created_priority_when_asked(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(
        client,
        "POST",
        f"/service/{service['id']}/template",
        {
            "name": "Code",
            "template_type": "email",
            "subject": "Code",
            "content": "((code))",
            "process_type": "priority",
        },
    )

    assert (status, body["data"]["process_type"]) == (201, "priority")


def test_an_unknown_process_type_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    service = _create_service(client)
    path = f"/service/{service['id']}/template"
    created = _admin(client, "POST", path, {"name": "Code", "template_type": "sms", "content": "Hi"})[1]["data"]

    refused_create = _admin(
        client, "POST", path, {"name": "B", "template_type": "sms", "content": "Hi", "process_type": "urgent"}
    )
    refused_update = _admin(client, "POST", f"{path}/{created['id']}", {"process_type": ["priority"]})
    read = _admin(client, "GET", f"{path}/{created['id']}")[1]["data"]

    expected = {"process_type": ["Must be one of: normal, priority."]}
    assert (refused_create[0], refused_create[1]["message"]) == (400, expected)
    assert (refused_update[0], refused_update[1]["message"]) == (400, {"process_type": ["Not a valid string."]})
    assert (read["process_type"], read["version"]) == ("normal", 1)


def test_email_template_needs_a_subject(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(
        client,
        "POST",
        f"/service/{service['id']}/template",
        {"name": "No subject", "template_type": "email", "content": "Body"},
    )

    assert (status, body["message"]) == (400, {"subject": ["Email templates need a subject"]})


def test_admin_api_rejects_missing_token(client: FlaskClient) -> None:
    response = client.get("/service")

    assert response.status_code == 401
    assert response.get_json() == {
        "result": "error",
        "message": {"token": ["Unauthorized: authentication token must be provided"]},
    }


def test_admin_api_rejects_an_unknown_client(client: FlaskClient) -> None:
    token = create_jwt_token(client.application.config["ADMIN_CLIENT_SECRET"], "someone-else")

    response = client.get("/service", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert response.get_json()["message"] == {"token": ["Unauthorized: not allowed to perform this action"]}


def test_unknown_service_is_404_in_the_admin_envelope(client: FlaskClient) -> None:
    status, body = _admin(client, "GET", "/service/7a0b8e02-8f6e-4b0e-9d50-0d7b2e4f1111")

    assert (status, body) == (404, {"result": "error", "message": "No result found"})


def test_a_contact_link_for_files_sent_by_email_is_set_and_kept_in_the_service_history(client: FlaskClient) -> None:
    service = _create_service(client)

    status, body = _admin(client, "POST", f"/service/{service['id']}", {"contact_link": "https://help.example/files"})

    assert (status, body["data"]["contact_link"], body["data"]["version"]) == (200, "https://help.example/files", 2)
    history = db.session.execute(select(ServiceHistory.version, ServiceHistory.contact_link)).all()
    assert sorted(history) == [(1, None), (2, "https://help.example/files")]


@pytest.mark.parametrize(
    "contact_link",
    ["https://help.example/files", "http://help.example", "help@example.gov.uk", "+44 20 7946 0000", None],
    ids=["https", "http", "email", "phone", "cleared"],
)
def test_a_contact_link_may_be_a_web_address_an_email_address_or_a_phone_number(
    client: FlaskClient, contact_link: str | None
) -> None:
    service = _create_service(client)

    status, body = _admin(client, "POST", f"/service/{service['id']}", {"contact_link": contact_link})

    assert (status, body["data"]["contact_link"]) == (200, contact_link)


@pytest.mark.parametrize(
    "contact_link",
    ["javascript:alert(1)", "help", "", "https://a.example/" + "x" * 300, "https://a.example/\nx", "ftp://a.example"],
    ids=["javascript", "a-word", "empty", "too-long", "newline", "ftp"],
)
def test_any_other_contact_link_is_refused(client: FlaskClient, contact_link: str) -> None:
    service = _create_service(client)

    status, body = _admin(client, "POST", f"/service/{service['id']}", {"contact_link": contact_link})

    assert status == 400
    assert "contact_link" in str(body["message"])
