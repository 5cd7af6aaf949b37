"""POST /v2/template/<id>/preview: the template filled with personalisation, without sending anything."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

from tests.contract import validate_against_client_schema
from tests.factories import create_template
from tests.v2.read_api import create_service_with_key, post_as


def test_an_sms_preview_is_filled_and_has_no_subject_or_html(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="Hi ((name))")

    response = post_as(
        client, caller.api_key, f"/v2/template/{template.id}/preview", {"personalisation": {"name": "Jo"}}
    )

    assert response.status_code == 200
    validate_against_client_schema(response.json, "template_schemas.post_template_preview_response")
    assert response.json == {
        "id": str(template.id),
        "type": "sms",
        "version": 1,
        "body": "Hi Jo",
        "subject": None,
        "html": None,
        "postage": None,
    }


def test_an_email_preview_has_its_subject_and_html(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, template_type="email", subject="For ((name))")

    response = post_as(
        client,
        caller.api_key,
        f"/v2/template/{template.id}/preview",
        {"personalisation": {"name": "<b>Jo</b>", "ref": "7"}},
    )

    validate_against_client_schema(response.json, "template_schemas.post_template_preview_response")
    assert response.json["subject"] == "For <b>Jo</b>"
    assert response.json["body"] == "Dear <b>Jo</b>,\n\nYour reference is 7."
    assert "Dear &lt;b&gt;Jo&lt;/b&gt;," in response.json["html"]
    assert "<html" not in response.json["html"]


@pytest.mark.parametrize(
    ("body", "data"),
    [({"personalisation": None}, None), ({"personalisation": {}}, None), ({}, None), (None, "")],
    ids=["null", "empty-object", "absent", "empty-body"],
)
def test_a_template_without_placeholders_needs_no_personalisation(
    client: FlaskClient, body: dict | None, data: str | None
) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="No placeholders here")

    response = post_as(client, caller.api_key, f"/v2/template/{template.id}/preview", body, data=data)

    assert response.status_code == 200
    assert response.json["body"] == "No placeholders here"


def test_missing_placeholders_are_named_in_order(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, template_type="email", subject="((a))", content="((b)) ((c))")

    response = post_as(client, caller.api_key, f"/v2/template/{template.id}/preview", {"personalisation": {"c": "x"}})

    assert response.status_code == 400
    assert response.json == {
        "status_code": 400,
        "errors": [{"error": "BadRequestError", "message": "Missing personalisation: a, b"}],
    }


def test_personalisation_that_is_not_an_object_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    response = post_as(client, caller.api_key, f"/v2/template/{template.id}/preview", {"personalisation": "Jo"})

    assert response.status_code == 400
    assert response.json["errors"] == [
        {"error": "ValidationError", "message": "personalisation should contain key value pairs"}
    ]


def test_a_body_that_is_not_json_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    response = post_as(client, caller.api_key, f"/v2/template/{template.id}/preview", data="{not json")

    assert response.status_code == 400
    assert response.json["errors"] == [{"error": "BadRequestError", "message": "Invalid JSON supplied in POST data"}]


def test_a_template_of_another_service_is_not_found(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = post_as(client, caller.api_key, f"/v2/template/{create_template().id}/preview", {"personalisation": {}})

    assert response.status_code == 404
    assert response.json["errors"] == [{"error": "NoResultFound", "message": "No result found"}]


def test_an_unknown_template_is_not_found(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = post_as(client, caller.api_key, f"/v2/template/{uuid.uuid4()}/preview", {"personalisation": {}})

    assert response.status_code == 404
