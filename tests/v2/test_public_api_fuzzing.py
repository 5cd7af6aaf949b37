"""Property tests: malformed paths, query strings, bodies and headers at every public endpoint never cause a 500,
and every refusal comes in the v2 envelope with a list of errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from tests.auth_helpers import create_jwt_token, service_auth_header
from tests.factories import create_inbound_sms, create_notification, create_template
from tests.v2.read_api import ServiceWithKey, create_service_with_key

FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
GET_ENDPOINTS = ("/v2/notifications", "/v2/templates", "/v2/received-text-messages")
POST_ENDPOINTS = (
    "/v2/notifications/sms",
    "/v2/notifications/email",
    "/v2/notifications/letter",
    "/v2/notifications/bulk",
    "/v2/template/{template_id}/preview",
)
KNOWN_PARAMETERS = ("status", "template_type", "reference", "older_than", "include_jobs", "type")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
request_fields = st.sampled_from(
    ["template_id", "phone_number", "email_address", "personalisation", "reference", "sms_sender_id",
     "email_reply_to_id", "one_click_unsubscribe_url", "sanitise_content_for", "name", "rows", "csv"]
) | st.text(max_size=12)  # fmt: skip
json_bodies = st.dictionaries(request_fields, json_values, max_size=6) | json_values
raw_bodies = st.binary(max_size=200) | st.text(max_size=200).map(str.encode)
query_pairs = st.lists(
    st.tuples(st.sampled_from(KNOWN_PARAMETERS) | st.text(max_size=10), st.text(max_size=40)), max_size=5
)
path_segments = st.text(max_size=50) | st.uuids().map(str)


def assert_well_formed(response: TestResponse) -> None:
    """No 500; a refusal is `{"status_code": N, "errors": [{"error", "message"}, ...]}` with N the HTTP status."""
    assert response.status_code < 500, response.get_data(as_text=True)
    if 300 <= response.status_code < 400:
        return  # Werkzeug redirects `//` in a path to `/`: a routing answer, not an error
    body = response.get_json(silent=True)
    assert body is not None, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert body["status_code"] == response.status_code
        assert isinstance(body["errors"], list)
        assert body["errors"]
        assert all(isinstance(error["error"], str) and isinstance(error["message"], str) for error in body["errors"])


@dataclass(frozen=True)
class FuzzTarget:
    caller: ServiceWithKey
    template_id: str


@pytest.fixture
def target(notify_db_session: None) -> FuzzTarget:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    create_template(service=caller.service, template_type="email")
    create_notification(template=template)
    create_inbound_sms(service=caller.service)
    return FuzzTarget(caller=caller, template_id=str(template.id))


@pytest.fixture
def fuzz_client(notify_api: Flask, target: FuzzTarget) -> Callable[..., TestResponse]:
    client: FlaskClient = notify_api.test_client()

    def send(method: str, url: str, **kwargs: Any) -> TestResponse:
        headers = kwargs.pop("headers", None)
        headers = [service_auth_header(target.caller.api_key)] if headers is None else headers
        return client.open(url.format(template_id=target.template_id), method=method, headers=headers, **kwargs)

    return send


@FUZZ_SETTINGS
@given(endpoint=st.sampled_from(GET_ENDPOINTS), pairs=query_pairs)
def test_any_query_string_gets_an_answer_in_the_envelope(
    fuzz_client: Callable[..., TestResponse], endpoint: str, pairs: list[tuple[str, str]]
) -> None:
    assert_well_formed(fuzz_client("GET", f"{endpoint}?{urlencode(pairs)}"))


@FUZZ_SETTINGS
@given(endpoint=st.sampled_from(GET_ENDPOINTS), raw_query=st.text(max_size=80))
def test_any_raw_query_string_gets_an_answer_in_the_envelope(
    fuzz_client: Callable[..., TestResponse], endpoint: str, raw_query: str
) -> None:
    assert_well_formed(fuzz_client("GET", endpoint, query_string=quote(raw_query, safe="=&%+;")))


@FUZZ_SETTINGS
@given(
    template=st.sampled_from(
        ["/v2/notifications/{0}", "/v2/template/{0}", "/v2/template/{0}/version/{1}", "/v2/template/{0}/preview"]
    ),
    first=path_segments,
    second=st.integers(min_value=-1, max_value=10**30).map(str) | st.text(max_size=10),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
)
def test_any_path_gets_an_answer_in_the_envelope(
    fuzz_client: Callable[..., TestResponse], template: str, first: str, second: str, method: str
) -> None:
    url = template.format(quote(first, safe=""), quote(second, safe="")).replace("{", "%7B").replace("}", "%7D")

    assert_well_formed(fuzz_client(method, url, json={}))


@FUZZ_SETTINGS
@given(endpoint=st.sampled_from(POST_ENDPOINTS), body=json_bodies)
def test_any_json_body_gets_an_answer_in_the_envelope(
    fuzz_client: Callable[..., TestResponse], endpoint: str, body: Any
) -> None:
    assert_well_formed(fuzz_client("POST", endpoint, data=json.dumps(body)))


@FUZZ_SETTINGS
@given(endpoint=st.sampled_from(POST_ENDPOINTS), body=raw_bodies, content_type=st.sampled_from(
    [None, "application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
))  # fmt: skip
def test_any_raw_body_gets_an_answer_in_the_envelope(
    fuzz_client: Callable[..., TestResponse], endpoint: str, body: bytes, content_type: str | None
) -> None:
    assert_well_formed(fuzz_client("POST", endpoint, data=body, content_type=content_type))


@FUZZ_SETTINGS
@given(
    endpoint=st.sampled_from(GET_ENDPOINTS),
    authorization=st.text(max_size=80)
    | st.text(max_size=80).map("Bearer {}".format)
    | st.fixed_dictionaries({"iss": json_values, "iat": json_values}).map(
        lambda claims: "Bearer " + create_jwt_token("secret", json.dumps(claims["iss"]), issued_at=0)
    ),
)
def test_any_authorization_header_gets_an_answer_in_the_envelope(
    fuzz_client: Callable[..., TestResponse], endpoint: str, authorization: str
) -> None:
    headers = [("Authorization", authorization)] if authorization.isprintable() else []

    assert_well_formed(fuzz_client("GET", endpoint, headers=headers))
