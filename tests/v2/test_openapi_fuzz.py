"""Schemathesis against Herald's own /openapi.json, in-process over WSGI, with a live API key.

Every operation is called with generated requests (the coverage phase's boundary values, then derandomized
fuzzing): no answer may be a 5xx, every answer must match the document (status code, Content-Type, body
schema), and a method the document does not list must answer 405 with `Allow`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from app.models import ApiKey
from app.v2.openapi.document import openapi_document
from app.v2.request_validation import UUID_PATTERN
from tests.auth_helpers import service_auth_header
from tests.factories import create_inbound_sms, create_notification, create_template
from tests.v2.read_api import create_service_with_key

# Why Herald may refuse a request the document calls valid: each depends on data (the service's templates, senders,
# permissions, trial mode), on the clock, or on numbering plans and address rules JSON Schema cannot express.
DATA_DEPENDENT_REFUSAL = re.compile(
    "|".join(
        [
            "Template not found",
            "Missing personalisation: .+",
            "Service is not allowed to send letters",
            "scheduled_for datetime can .+",  # in the past, or too far ahead: the clock decides
            "phone_number .+",
            "email_address .+",
            "(sms_sender_id|email_reply_to_id|reply_to_id) .+ does not exist in database for service id .+",
            ".*Can’t send to this recipient.*",
            "Missing column: .+|Row .+|.*rows.*|.*csv.*|.*header.*|.*column.*",
            "No result found",
            # Files by email: the service's settings, the template's type and the file's bytes decide.
            "Send files by email has not been set up - .+",
            "Can only send a file by email",
            "File is not base64 encoded",
            "Unsupported file type 'application/octet-stream'.*",
        ]
    )
)


@schemathesis.check
def refuses_valid_requests_only_for_data(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """A 400 to a schema-valid request must give only reasons the document cannot state."""
    if case.meta is None or case.meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return None
    if response.status_code != 400:
        return None
    messages = [error["message"] for error in response.json()["errors"]]
    unexplained = [message for message in messages if not DATA_DEPENDENT_REFUSAL.fullmatch(message)]
    if unexplained:
        raise AssertionError(f"A schema-valid request was refused for reasons the document could state: {unexplained}")
    return None


CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    refuses_valid_requests_only_for_data,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,
]


@dataclass(frozen=True)
class FuzzedService:
    api_key: ApiKey
    template_ids: dict[str, str]


@pytest.fixture
def service(notify_api: Flask, notify_db_session: None) -> FuzzedService:
    """A live key of a service with a template of each type (placeholders included), a notification, a text."""
    caller = create_service_with_key(restricted=False)
    sms_template = create_template(service=caller.service)
    email_template = create_template(service=caller.service, template_type="email")
    create_notification(template=sms_template)
    create_inbound_sms(service=caller.service)
    return FuzzedService(caller.api_key, {"sms": str(sms_template.id), "email": str(email_template.id)})


def point_at_real_templates(case: schemathesis.Case, template_ids: dict[str, str]) -> None:
    """Swap a generated well-formed template id for one of the service's, so requests get past `Template not
    found` to personalisation, rendering and sending. A malformed id (a negative case) is left as it is."""
    template_id = template_ids["email" if case.path.endswith("/email") else "sms"]
    if isinstance(case.body, dict) and _is_uuid(case.body.get("template_id")):
        case.body["template_id"] = template_id
    if _is_uuid((case.path_parameters or {}).get("template_id")):
        case.path_parameters["template_id"] = template_id


def _is_uuid(value: object) -> bool:
    return isinstance(value, str) and UUID_PATTERN_FULL.fullmatch(value) is not None


UUID_PATTERN_FULL = re.compile(UUID_PATTERN.removeprefix("^").removesuffix("$"))
SERVER_URL = "http://localhost/"
# The document is built the way GET /openapi.json builds it (the test below checks they are the same): schemathesis'
# lazy from_fixture loader reads a pytest private attribute that pytest 9 no longer has.
schema = schemathesis.openapi.from_dict(openapi_document(SERVER_URL))


def test_served_document_is_the_one_fuzzed(notify_api: Flask) -> None:
    response = notify_api.test_client().get("/openapi.json", base_url=SERVER_URL)

    assert response.get_json() == openapi_document(SERVER_URL)


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,  # the same examples on every run: CI is never red by chance
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_public_api_conforms_to_its_openapi_document(
    notify_api: Flask, service: FuzzedService, case: schemathesis.Case
) -> None:
    point_at_real_templates(case, service.template_ids)
    header_name, header_value = service_auth_header(service.api_key)
    # A case whose headers are the broken part (no Authorization, or a made-up one) is sent as generated: adding a
    # valid token would turn it into a valid request that is then "wrongly" accepted.
    headers = {} if headers_are_the_negative_part(case) else {header_name: header_value}

    case.call_and_validate(headers=headers, checks=CHECKS, app=notify_api)


def headers_are_the_negative_part(case: schemathesis.Case) -> bool:
    if case.meta is None:
        return False
    header_info = case.meta.components.get(ParameterLocation.HEADER)
    return header_info is not None and header_info.mode == schemathesis.GenerationMode.NEGATIVE
