"""GET /v2/template/<id> and GET /v2/template/<id>/version/<n>."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time

from app.dao.templates_dao import dao_create_template, dao_update_template
from tests.contract import validate_against_client_schema
from tests.factories import create_template
from tests.v2.read_api import create_service_with_key, get_as


@freeze_time("2026-03-14 12:35:25.909")
def test_an_email_template_is_shaped_as_the_contract_says(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = dao_create_template(
        caller.service.id,
        name="Welcome email",
        template_type="email",
        content="Dear ((name)), ((show??See you soon.))",
        subject="Hello ((Name))",
        created_by="author@example.gov.uk",
    )

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}")

    assert response.status_code == 200
    validate_against_client_schema(response.json, "template_schemas.get_template_by_id_response")
    assert response.json == {
        "id": str(template.id),
        "type": "email",
        "created_at": "2026-03-14T12:35:25.909000Z",
        "updated_at": None,
        "created_by": "author@example.gov.uk",
        "version": 1,
        "body": "Dear ((name)), ((show??See you soon.))",
        "subject": "Hello ((Name))",
        "name": "Welcome email",
        "personalisation": {"Name": {"required": True}, "show": {"required": True}},
        "postage": None,
        "letter_contact_block": None,
    }


def test_an_sms_template_has_no_subject(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="Hi ((first name))")

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}")

    validate_against_client_schema(response.json, "template_schemas.get_template_by_id_response")
    assert response.json["subject"] is None
    assert response.json["personalisation"] == {"first name": {"required": True}}


def test_a_template_without_a_recorded_author_still_names_one(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}")

    assert response.json["created_by"] == "unknown"


def test_the_latest_version_is_returned_by_default(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="First")
    dao_update_template(template, content="Second")

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}")

    assert (response.json["version"], response.json["body"]) == (2, "Second")
    assert response.json["updated_at"] is not None


def test_an_older_version_can_be_asked_for(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="First")
    dao_update_template(template, content="Second")

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}/version/1")

    assert response.status_code == 200
    validate_against_client_schema(response.json, "template_schemas.get_template_by_id_response")
    assert (response.json["version"], response.json["body"]) == (1, "First")


@pytest.mark.parametrize(
    "path",
    [
        "/v2/template/{other}",
        "/v2/template/{own}/version/2",
        "/v2/template/{own}/version/99999999999",
        "/v2/template/{unknown}",
    ],
    ids=["another-services-template", "unknown-version", "version-beyond-any-stored", "unknown-template"],
)
def test_what_the_service_does_not_have_is_not_found(client: FlaskClient, path: str) -> None:
    caller = create_service_with_key()
    own = create_template(service=caller.service)
    other = create_template()

    response = get_as(client, caller.api_key, path.format(own=own.id, other=other.id, unknown=uuid.uuid4()))

    assert response.status_code == 404
    assert response.json == {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]}


def test_version_0_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}/version/0")

    assert response.status_code == 400
    assert response.json["errors"] == [
        {"error": "ValidationError", "message": "version 0 is less than the minimum of 1"}
    ]


def test_a_template_id_that_is_not_a_uuid_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/template/not-a-uuid")

    assert response.status_code == 400
    assert response.json["errors"] == [{"error": "ValidationError", "message": "id is not a valid UUID"}]
