"""MmgClient posts MMG's JSON request and sorts every failure into a retryable or permanent error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests
import responses

from app.clients.errors import (
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
    ProviderThrottledError,
)
from app.clients.sms.mmg import MmgClient
from app.clients.statsd_client import StatsdClient
from tests.clients.statsd_listener import StatsdListener

MMG_URL = "https://api.mmg.example/jsonv2a/api.php"
RECIPIENT = "447700900123"
CONTENT = "Service: your code is 123456"
REFERENCE = "a4c2a0b3-62d8-4a8e-9b53-1b6e5f0d6f0e"


@pytest.fixture
def mocked_responses() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def make_client(statsd: StatsdClient, receipt_url: str | None = None) -> MmgClient:
    return MmgClient(url=MMG_URL, api_key="mmg-key", receipt_url=receipt_url, timeout_seconds=5.0, statsd=statsd)


def send(client: MmgClient, to: str = RECIPIENT, sender: str | None = "GOVUK") -> str:
    return client.send_sms(to=to, content=CONTENT, reference=REFERENCE, sender=sender, is_international=False)


def test_send_sms_returns_our_reference(mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    assert send(make_client(disabled_statsd)) == REFERENCE


def test_send_sms_posts_mmgs_json_request(mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(disabled_statsd, receipt_url="https://user:pass@herald.example/notifications/sms/mmg"))

    assert json.loads(mocked_responses.calls[0].request.body) == {
        "reqType": "BULK",
        "MSISDN": RECIPIENT,
        "msg": CONTENT,
        "sender": "GOVUK",
        "cid": REFERENCE,
        "multi": True,
        "delurl": "https://user:pass@herald.example/notifications/sms/mmg",
    }


def test_send_sms_sends_the_api_key_as_is_in_basic_authorization(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(disabled_statsd))

    headers = mocked_responses.calls[0].request.headers
    assert (headers["Authorization"], headers["Content-Type"]) == ("Basic mmg-key", "application/json")


def test_send_sms_leaves_out_delurl_when_no_receipt_url_is_set(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(disabled_statsd, receipt_url=None))

    assert "delurl" not in json.loads(mocked_responses.calls[0].request.body)


def test_send_sms_leaves_out_the_sender_when_there_is_none(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(disabled_statsd), sender=None)

    assert "sender" not in json.loads(mocked_responses.calls[0].request.body)


def test_send_sms_sends_the_number_without_a_plus(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(disabled_statsd), to="+" + RECIPIENT)

    assert json.loads(mocked_responses.calls[0].request.body)["MSISDN"] == RECIPIENT


FAILURES = [
    pytest.param({"body": requests.ReadTimeout()}, ProviderOutcomeUnknownError, id="read-timeout-may-be-accepted"),
    pytest.param({"body": requests.ConnectTimeout()}, ProviderRetryableError, id="connect-timeout-is-retryable"),
    pytest.param({"body": requests.ConnectionError()}, ProviderOutcomeUnknownError, id="connection-error-may-be-sent"),
    pytest.param({"status": 500, "json": {"Error": 1}}, ProviderOutcomeUnknownError, id="500-may-be-accepted"),
    pytest.param({"status": 502, "body": "bad gateway"}, ProviderOutcomeUnknownError, id="502-may-be-accepted"),
    pytest.param({"status": 504, "body": "gateway timeout"}, ProviderOutcomeUnknownError, id="504-may-be-accepted"),
    pytest.param({"status": 503, "body": "down"}, ProviderRetryableError, id="503-is-retryable"),
    pytest.param({"status": 429, "json": {}}, ProviderThrottledError, id="429-is-throttled"),
    pytest.param({"status": 400, "json": {"Error": 2}}, ProviderPermanentError, id="400-is-permanent"),
    pytest.param({"status": 422, "json": {}}, ProviderPermanentError, id="422-is-permanent"),
    pytest.param({"status": 401, "json": {}}, ProviderRetryableError, id="401-is-retryable"),
    pytest.param({"status": 404, "body": ""}, ProviderRetryableError, id="404-is-retryable"),
    pytest.param(
        {"status": 302, "headers": {"Location": "https://elsewhere.example/"}},
        ProviderRetryableError,
        id="redirect-is-retryable",
    ),
    pytest.param({"status": 200, "body": "<html>OK</html>"}, ProviderOutcomeUnknownError, id="non-json-2xx-unknown"),
    pytest.param({"status": 200, "json": [1, 2]}, ProviderOutcomeUnknownError, id="non-object-json-2xx-unknown"),
]


@pytest.mark.parametrize(("answer", "expected_error"), FAILURES)
def test_send_sms_raises_the_error_class_the_failure_calls_for(
    mocked_responses: responses.RequestsMock,
    disabled_statsd: StatsdClient,
    answer: dict[str, object],
    expected_error: type[ProviderError],
):
    mocked_responses.post(MMG_URL, **answer)

    with pytest.raises(ProviderError) as raised:
        send(make_client(disabled_statsd))

    assert (type(raised.value), raised.value.provider) == (expected_error, "mmg")


@pytest.mark.parametrize(("answer", "expected_error"), FAILURES)
def test_send_sms_errors_never_mention_the_recipient_or_content(
    mocked_responses: responses.RequestsMock,
    disabled_statsd: StatsdClient,
    answer: dict[str, object],
    expected_error: type[ProviderError],
):
    mocked_responses.post(MMG_URL, **answer)

    with pytest.raises(ProviderError) as raised:
        send(make_client(disabled_statsd))

    assert RECIPIENT not in str(raised.value)
    assert CONTENT not in str(raised.value)


def test_a_transport_failure_keeps_the_requests_exception_as_its_cause(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, body=requests.ReadTimeout())

    with pytest.raises(ProviderRetryableError) as raised:
        send(make_client(disabled_statsd))

    assert isinstance(raised.value.__cause__, requests.ReadTimeout)


def test_an_http_failure_records_the_status_as_its_code(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, status=503)

    with pytest.raises(ProviderRetryableError) as raised:
        send(make_client(disabled_statsd))

    assert raised.value.code == "503"


def test_a_send_sends_a_success_count_and_the_request_time_to_statsd(
    mocked_responses: responses.RequestsMock, statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(statsd_client))

    success, request_time = statsd_listener.receive(2)
    assert success == "test.notifications.api.clients.mmg.success:1|c"
    assert re.fullmatch(r"test\.notifications\.api\.clients\.mmg\.request-time:\d+\.\d{6}\|ms", request_time)


def test_a_failed_send_sends_an_error_count_and_the_request_time_to_statsd(
    mocked_responses: responses.RequestsMock, statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    mocked_responses.post(MMG_URL, status=500)

    with pytest.raises(ProviderRetryableError):
        send(make_client(statsd_client))

    error, request_time = statsd_listener.receive(2)
    assert error == "test.notifications.api.clients.mmg.error:1|c"
    assert re.fullmatch(r"test\.notifications\.api\.clients\.mmg\.request-time:\d+\.\d{6}\|ms", request_time)


def test_send_sms_uses_the_timeout_it_was_given(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(MMG_URL, json={"Reference": 12345678})

    send(make_client(disabled_statsd))

    assert mocked_responses.calls[0].request.req_kwargs["timeout"] == 5.0


def test_send_sms_does_not_follow_a_redirect(mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient):
    mocked_responses.post(MMG_URL, status=302, headers={"Location": "https://elsewhere.example/"})

    with pytest.raises(ProviderRetryableError) as raised:
        send(make_client(disabled_statsd))

    assert raised.value.code == "302"
