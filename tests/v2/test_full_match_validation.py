"""Every id, path or body, is checked with a full match: `<uuid>\\n` (which Python's `$` lets through) and its
siblings are a 400 in the v2 envelope, never a query PostgreSQL refuses. JSON Herald could not store is refused."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.auth_helpers import service_auth_header
from tests.factories import create_template
from tests.v2.read_api import create_service_with_key, get_as, post_as

ALMOST_UUIDS = ["{id}\n", "{id}%0A", "{id}\r\n", " {id}", "{id} ", "{{{id}}}", "urn:uuid:{id}", "{id}\x00"]
ALMOST_UUID_IDS = ["newline", "encoded newline", "crlf", "leading space", "trailing space", "braces", "urn", "nul"]


def _refusal(response: Any) -> tuple[int, str]:
    body = response.get_json()
    return response.status_code, body["errors"][0]["error"]


@pytest.mark.parametrize("shape", ALMOST_UUIDS, ids=ALMOST_UUID_IDS)
@pytest.mark.parametrize(
    "url",
    [
        "/v2/template/{value}",
        "/v2/template/{value}/version/1",
        "/v2/notifications/{value}",
        "/v2/notifications?older_than={value}",
        "/v2/received-text-messages?older_than={value}",
    ],
    ids=["template", "template version", "notification", "notifications cursor", "received texts cursor"],
)
def test_reads_refuse_an_id_that_is_not_exactly_a_uuid(client: FlaskClient, url: str, shape: str) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    value = shape.format(id=template.id).replace("\n", "%0A").replace("\r", "%0D").replace("\x00", "%00")

    response = get_as(client, caller.api_key, url.format(value=value.replace(" ", "%20")))

    assert _refusal(response) == (400, "ValidationError")


@pytest.mark.parametrize("shape", ALMOST_UUIDS, ids=ALMOST_UUID_IDS)
def test_preview_refuses_a_template_id_that_is_not_exactly_a_uuid(client: FlaskClient, shape: str) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    value = shape.format(id=template.id).replace("\n", "%0A").replace("\r", "%0D").replace("\x00", "%00")

    response = post_as(client, caller.api_key, f"/v2/template/{value.replace(' ', '%20')}/preview", {})

    assert _refusal(response) == (400, "ValidationError")


@pytest.mark.parametrize("shape", ALMOST_UUIDS, ids=ALMOST_UUID_IDS)
@pytest.mark.parametrize("field", ["template_id", "sms_sender_id"])
def test_send_sms_refuses_an_id_that_is_not_exactly_a_uuid(client: FlaskClient, field: str, shape: str) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    body = {"template_id": str(template.id), "phone_number": "07700900123", "personalisation": {"name": "Jo"}}
    body[field] = shape.format(id=template.id)

    response = post_as(client, caller.api_key, "/v2/notifications/sms", body)

    assert response.status_code == 400
    assert response.get_json()["errors"] == [{"error": "ValidationError", "message": f"{field} is not a valid UUID"}]


@pytest.mark.parametrize("field", ["template_id", "email_reply_to_id"])
def test_send_email_refuses_an_id_with_a_trailing_newline(client: FlaskClient, field: str) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, template_type="email")
    body = {"template_id": str(template.id), "email_address": "jo@example.com"}
    body[field] = f"{template.id}\n"

    response = post_as(client, caller.api_key, "/v2/notifications/email", body)

    assert response.get_json()["errors"] == [{"error": "ValidationError", "message": f"{field} is not a valid UUID"}]


@pytest.mark.parametrize(
    "url", ["/v2/notifications/sms", "/v2/notifications/email", "/v2/notifications/bulk", "/v2/template/{id}/preview"]
)
@pytest.mark.parametrize(
    "data",
    ["[" * 5000 + "]" * 5000, '{"reference": "\\ud800"}', '{"a": NaN}', '{"a": -Infinity}'],
    ids=["deeply nested", "lone surrogate", "NaN", "Infinity"],
)
def test_json_bodies_herald_could_not_store_are_refused(client: FlaskClient, url: str, data: str) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    response = post_as(client, caller.api_key, url.format(id=template.id), data=data)

    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"error": "BadRequestError", "message": "Invalid JSON supplied in POST data"}
    ]


def test_notifications_list_refuses_a_reference_longer_than_any_stored_one(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, f"/v2/notifications?reference={'x' * 1001}")

    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"error": "ValidationError", "message": "reference is longer than 1000 characters"}
    ]


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("GET", "/v2/notifications/sms", {"POST"}),
        ("DELETE", "/v2/notifications/email", {"POST", "OPTIONS"}),
        ("PUT", "/v2/template/{id}", {"GET", "HEAD", "OPTIONS"}),
        ("TRACE", "/v2/notifications", {"GET", "HEAD", "OPTIONS"}),
    ],
    ids=["GET a send route", "DELETE a send route", "PUT a template", "TRACE the list"],
)
def test_a_method_not_allowed_answers_405_in_the_envelope_with_allow(
    client: FlaskClient, method: str, url: str, allowed: set[str]
) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    response = client.open(url.format(id=template.id), method=method, headers=[service_auth_header(caller.api_key)])

    assert response.status_code == 405
    assert allowed <= {name.strip() for name in response.headers["Allow"].split(",")}
    assert response.get_json() == {
        "status_code": 405,
        "errors": [{"error": "BadRequestError", "message": "The method is not allowed for the requested URL."}],
    }
