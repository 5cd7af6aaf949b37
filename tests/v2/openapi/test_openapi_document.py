"""GET /openapi.json: served without auth, a well-formed document, and true to what the API really answers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from app.v2.openapi.document import openapi_document
from tests.auth_helpers import service_auth_header
from tests.factories import create_inbound_sms, create_notification, create_template
from tests.v2.read_api import ServiceWithKey, create_service_with_key

DOCUMENT_URI = "urn:herald:openapi"
DOCUMENTED_PREFIXES = ("/v2/", "/openapi.json")


def pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_validator(document: dict[str, Any], method: str, path: str, status: int) -> Draft202012Validator:
    """A validator for the JSON body the document promises for ``method path`` answering ``status``."""
    assert str(status) in document["paths"][path][method]["responses"], f"{method} {path} {status} is not documented"
    location = pointer("paths", path, method, "responses", str(status), "content", "application/json", "schema")
    registry = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/{location}"}, registry=registry)


def assert_documented(document: dict[str, Any], method: str, path: str, response: TestResponse) -> None:
    response_validator(document, method, path, response.status_code).validate(response.json)


def every_ref(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from every_ref(value)
    elif isinstance(node, list):
        for item in node:
            yield from every_ref(item)


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


@pytest.fixture
def document() -> dict[str, Any]:
    return openapi_document("http://localhost/")


def test_the_document_is_served_without_a_token(client: FlaskClient) -> None:
    response = client.get("/openapi.json")

    assert response.status_code == 200
    assert response.json["openapi"] == "3.1.0"
    assert response.json["servers"] == [{"url": "http://localhost"}]


def test_every_component_schema_is_a_valid_json_schema(document: dict[str, Any]) -> None:
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_reference_points_at_a_component(document: dict[str, Any]) -> None:
    schema_names = set(document["components"]["schemas"])

    references = set(every_ref(document))

    assert {reference.removeprefix("#/components/schemas/") for reference in references} <= schema_names


def test_every_public_route_is_documented_and_nothing_else(notify_api: Flask, document: dict[str, Any]) -> None:
    routes = {
        (method.lower(), openapi_path(rule.rule))
        for rule in notify_api.url_map.iter_rules()
        if rule.rule.startswith(DOCUMENTED_PREFIXES)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(method, path) for path, operations in document["paths"].items() for method in operations}

    assert routes <= documented
    assert documented - routes <= {("post", "/v2/notifications/sms"), ("post", "/v2/notifications/email"),
                                   ("post", "/v2/notifications/letter")}  # fmt: skip


def read_cases(caller: ServiceWithKey) -> list[tuple[str, str, str, Any]]:
    """(method, documented path, url, JSON body) for a success and an error of every read endpoint."""
    sms = create_template(service=caller.service, content="Hi ((name))")
    email = create_template(service=caller.service, template_type="email")
    sms_notification = create_notification(template=sms, status="delivered")
    email_notification = create_notification(template=email, personalisation={"name": "A", "ref": "B"})
    create_inbound_sms(service=caller.service)
    unknown = uuid.uuid4()
    preview = "/v2/template/{template_id}/preview"
    return [
        ("get", "/v2/notifications/{notification_id}", f"/v2/notifications/{sms_notification.id}", None),
        ("get", "/v2/notifications/{notification_id}", f"/v2/notifications/{email_notification.id}", None),
        ("get", "/v2/notifications/{notification_id}", f"/v2/notifications/{unknown}", None),
        ("get", "/v2/notifications/{notification_id}", "/v2/notifications/not-a-uuid", None),
        ("get", "/v2/notifications", "/v2/notifications", None),
        ("get", "/v2/notifications", "/v2/notifications?status=failed&template_type=sms", None),
        ("get", "/v2/notifications", "/v2/notifications?status=elephant&x=1", None),
        ("get", "/v2/template/{template_id}", f"/v2/template/{sms.id}", None),
        ("get", "/v2/template/{template_id}", f"/v2/template/{unknown}", None),
        ("get", "/v2/template/{template_id}", "/v2/template/nope", None),
        ("get", "/v2/template/{template_id}/version/{version}", f"/v2/template/{email.id}/version/1", None),
        ("get", "/v2/template/{template_id}/version/{version}", f"/v2/template/{email.id}/version/0", None),
        ("get", "/v2/template/{template_id}/version/{version}", f"/v2/template/{email.id}/version/9", None),
        ("post", preview, f"/v2/template/{sms.id}/preview", {"personalisation": {"name": "x"}}),
        ("post", preview, f"/v2/template/{email.id}/preview", {"personalisation": {"name": "x", "ref": "y"}}),
        ("post", preview, f"/v2/template/{sms.id}/preview", {"personalisation": {}}),
        ("post", preview, f"/v2/template/{sms.id}/preview", {"personalisation": 1}),
        ("get", "/v2/templates", "/v2/templates", None),
        ("get", "/v2/templates", "/v2/templates?type=orange", None),
        ("get", "/v2/received-text-messages", "/v2/received-text-messages", None),
        ("get", "/v2/received-text-messages", "/v2/received-text-messages?older_than=x", None),
        ("post", "/v2/notifications/bulk", "/v2/notifications/bulk", {"template_id": "x"}),
    ]  # fmt: skip


def test_real_answers_of_every_read_endpoint_match_the_document(client: FlaskClient, document: dict[str, Any]) -> None:
    caller = create_service_with_key()
    answered = set()

    for method, path, url, body in read_cases(caller):
        response = client.open(url, method=method.upper(), json=body, headers=[service_auth_header(caller.api_key)])
        assert_documented(document, method, path, response)
        answered.add((path, response.status_code))

    assert {status for _, status in answered} == {200, 400, 404}


@pytest.mark.parametrize(
    ("headers", "status"),
    [([], 401), ([("Authorization", "Basic abc")], 401), ([("Authorization", "Bearer not-a-jwt")], 403)],
    ids=["no-token", "wrong-scheme", "bad-token"],
)
def test_authentication_errors_match_the_document(
    client: FlaskClient, document: dict[str, Any], headers: list[tuple[str, str]], status: int
) -> None:
    response = client.get("/v2/notifications", headers=headers)

    assert response.status_code == status
    assert_documented(document, "get", "/v2/notifications", response)


@pytest.mark.parametrize("notification_type", ["sms", "email"])
def test_sending_answers_match_the_document(
    notify_api: Flask, client: FlaskClient, document: dict[str, Any], notification_type: str
) -> None:
    path = f"/v2/notifications/{notification_type}"
    if not any(rule.rule == path for rule in notify_api.url_map.iter_rules()):
        pytest.skip(f"POST {path} has not landed yet")
    caller = create_service_with_key()
    template = create_template(
        service=caller.service, template_type=notification_type, content="No placeholders", subject="No placeholders"
    )
    recipient = {
        "sms": {"phone_number": "07700900000"},
        "email": {"email_address": "simulate-delivered@notifications.service.gov.uk"},
    }
    good = {"template_id": str(template.id), **recipient[notification_type]}

    created = client.post(path, json=good, headers=[service_auth_header(caller.api_key)])
    refused = client.post(path, json={"template_id": "x"}, headers=[service_auth_header(caller.api_key)])

    assert (created.status_code, refused.status_code) == (201, 400)
    assert_documented(document, "post", path, created)
    assert_documented(document, "post", path, refused)
