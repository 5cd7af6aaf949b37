"""GET /v2/templates[?type=]: the latest version of each of the service's templates."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.dao.templates_dao import dao_update_template
from tests.contract import validate_against_client_schema
from tests.factories import create_template
from tests.v2.read_api import create_service_with_key, get_as


def test_every_template_of_the_service_is_listed(client: FlaskClient) -> None:
    caller = create_service_with_key()
    sms = create_template(service=caller.service, name="A sms")
    email = create_template(service=caller.service, name="B email", template_type="email")
    create_template(name="Another service's")

    response = get_as(client, caller.api_key, "/v2/templates")

    assert response.status_code == 200
    validate_against_client_schema(response.json, "templates_schemas.get_all_template_response")
    assert [template["id"] for template in response.json["templates"]] == [str(sms.id), str(email.id)]


def test_the_type_filter_keeps_only_that_type(client: FlaskClient) -> None:
    caller = create_service_with_key()
    create_template(service=caller.service)
    email = create_template(service=caller.service, template_type="email")

    response = get_as(client, caller.api_key, "/v2/templates?type=email")

    assert [template["id"] for template in response.json["templates"]] == [str(email.id)]


def test_archived_templates_are_left_out(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    dao_update_template(template, archived=True)

    response = get_as(client, caller.api_key, "/v2/templates")

    assert response.json == {"templates": []}


def test_templates_are_shown_at_their_latest_version(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="First")
    dao_update_template(template, content="Second")

    response = get_as(client, caller.api_key, "/v2/templates")

    assert [(item["version"], item["body"]) for item in response.json["templates"]] == [(2, "Second")]


def test_an_unknown_type_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/templates?type=orange")

    assert response.status_code == 400
    assert response.json["errors"] == [
        {"error": "ValidationError", "message": "type orange is not one of [sms, email, letter]"}
    ]


def test_an_unknown_parameter_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/templates?template_type=sms")

    assert response.json["errors"] == [
        {"error": "ValidationError", "message": "Additional properties are not allowed (template_type was unexpected)"}
    ]
