"""Schemathesis against Herald's own /openapi.json, in-process over WSGI, with a live API key.

Every operation is called with generated requests (the coverage phase's boundary values, then derandomized
fuzzing): no answer may be a 5xx, every answer must match the document (status code, Content-Type, body
schema), and a method the document does not list must answer 405 with `Allow`.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from app.models import ApiKey
from app.v2.openapi.document import openapi_document
from tests.auth_helpers import service_auth_header
from tests.factories import create_inbound_sms, create_notification, create_template
from tests.v2.read_api import create_service_with_key

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,
]


@pytest.fixture
def api_key(notify_api: Flask, notify_db_session: None) -> ApiKey:
    """A live key of a service that has a template of each type, a notification and a received text."""
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    create_template(service=caller.service, template_type="email")
    create_notification(template=template)
    create_inbound_sms(service=caller.service)
    return caller.api_key


SERVER_URL = "http://localhost/"
# The document is built the way GET /openapi.json builds it (the test below checks they are the same): schemathesis'
# lazy from_fixture loader reads a pytest private attribute that pytest 9 no longer has.
schema = schemathesis.openapi.from_dict(openapi_document(SERVER_URL))


def test_served_document_is_the_one_fuzzed(notify_api: Flask) -> None:
    response = notify_api.test_client().get("/openapi.json", base_url=SERVER_URL)

    assert response.get_json() == openapi_document(SERVER_URL)


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_public_api_conforms_to_its_openapi_document(
    notify_api: Flask, api_key: ApiKey, case: schemathesis.Case
) -> None:
    header_name, header_value = service_auth_header(api_key)

    case.call_and_validate(headers={header_name: header_value}, checks=CHECKS, app=notify_api)
