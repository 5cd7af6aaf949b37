"""FiretextClient posts Firetext's form and sorts every failure, HTTP or `code`, into retryable or permanent."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs

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
from app.clients.sms.firetext import FiretextClient
from app.clients.statsd_client import StatsdClient
from tests.clients.statsd_listener import StatsdListener

FIRETEXT_URL = "https://www.firetext.example/api/sendsms/json"
RECIPIENT = "447700900123"
CONTENT = "Service: your code is 123456"
REFERENCE = "a4c2a0b3-62d8-4a8e-9b53-1b6e5f0d6f0e"
QUEUED = {"code": 0, "description": "SMS successfully queued", "data": [], "responseData": 1}


@pytest.fixture
def mocked_responses() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def make_client(
    statsd: StatsdClient, international_api_key: str | None = "international-key", receipt_url: str | None = None
) -> FiretextClient:
    return FiretextClient(
        url=FIRETEXT_URL,
        api_key="domestic-key",
        international_api_key=international_api_key,
        receipt_url=receipt_url,
        timeout_seconds=5.0,
        statsd=statsd,
    )


def send(client: FiretextClient, to: str = RECIPIENT, is_international: bool = False) -> str:
    return client.send_sms(
        to=to, content=CONTENT, reference=REFERENCE, sender="GOVUK", is_international=is_international
    )


def sent_form(mocked_responses: responses.RequestsMock) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(mocked_responses.calls[0].request.body).items()}


def test_send_sms_returns_our_reference(mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    assert send(make_client(disabled_statsd)) == REFERENCE


def test_send_sms_posts_firetexts_form(mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    send(make_client(disabled_statsd, receipt_url="https://herald.example/notifications/sms/firetext"))

    assert sent_form(mocked_responses) == {
        "apiKey": "domestic-key",
        "from": "GOVUK",
        "to": RECIPIENT,
        "message": CONTENT,
        "reference": REFERENCE,
        "receipt": "https://herald.example/notifications/sms/firetext",
    }


def test_send_sms_sends_the_number_without_a_plus(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    send(make_client(disabled_statsd), to="+" + RECIPIENT)

    assert sent_form(mocked_responses)["to"] == RECIPIENT


def test_send_sms_leaves_out_receipt_when_no_receipt_url_is_set(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    send(make_client(disabled_statsd, receipt_url=None))

    assert "receipt" not in sent_form(mocked_responses)


def test_an_international_send_uses_the_international_api_key(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    send(make_client(disabled_statsd), to="+61412345678", is_international=True)

    assert sent_form(mocked_responses)["apiKey"] == "international-key"


def test_an_international_send_uses_the_main_key_when_there_is_no_international_key(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    send(make_client(disabled_statsd, international_api_key=None), to="+61412345678", is_international=True)

    assert sent_form(mocked_responses)["apiKey"] == "domestic-key"


def test_a_code_sent_as_a_numeric_string_zero_is_accepted(
    mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient
):
    mocked_responses.post(FIRETEXT_URL, json={"code": "0", "description": "SMS successfully queued"})

    assert send(make_client(disabled_statsd)) == REFERENCE


FAILURES = [
    pytest.param({"body": requests.ReadTimeout()}, ProviderOutcomeUnknownError, id="read-timeout-may-be-accepted"),
    pytest.param({"body": requests.ConnectTimeout()}, ProviderRetryableError, id="connect-timeout-is-retryable"),
    pytest.param({"body": requests.ConnectionError()}, ProviderOutcomeUnknownError, id="connection-error-may-be-sent"),
    pytest.param({"status": 500, "body": "oops"}, ProviderOutcomeUnknownError, id="500-may-be-accepted"),
    pytest.param({"status": 503, "body": "down"}, ProviderRetryableError, id="503-is-retryable"),
    pytest.param({"status": 429, "json": {}}, ProviderThrottledError, id="429-is-throttled"),
    pytest.param({"status": 400, "json": {}}, ProviderPermanentError, id="400-is-permanent"),
    pytest.param({"status": 200, "body": "queued"}, ProviderOutcomeUnknownError, id="non-json-2xx-may-be-accepted"),
    pytest.param({"json": {"description": "?"}}, ProviderOutcomeUnknownError, id="missing-code-may-be-accepted"),
    pytest.param({"json": {"code": 1, "description": "Authentication error"}}, ProviderRetryableError, id="code-1"),
    pytest.param({"json": {"code": 2, "description": "Destination error"}}, ProviderPermanentError, id="code-2"),
    pytest.param({"json": {"code": 5, "description": "Message error"}}, ProviderPermanentError, id="code-5"),
    pytest.param({"json": {"code": 7, "description": "Insufficient credit"}}, ProviderRetryableError, id="code-7"),
    pytest.param({"json": {"code": 999, "description": "?"}}, ProviderRetryableError, id="unknown-code-is-retryable"),
]


@pytest.mark.parametrize(("answer", "expected_error"), FAILURES)
def test_send_sms_raises_the_error_class_the_failure_calls_for(
    mocked_responses: responses.RequestsMock,
    disabled_statsd: StatsdClient,
    answer: dict[str, object],
    expected_error: type[ProviderError],
):
    mocked_responses.post(FIRETEXT_URL, **answer)

    with pytest.raises(ProviderError) as raised:
        send(make_client(disabled_statsd))

    assert (type(raised.value), raised.value.provider) == (expected_error, "firetext")


@pytest.mark.parametrize(("answer", "expected_error"), FAILURES)
def test_send_sms_errors_never_mention_the_recipient_or_content(
    mocked_responses: responses.RequestsMock,
    disabled_statsd: StatsdClient,
    answer: dict[str, object],
    expected_error: type[ProviderError],
):
    mocked_responses.post(FIRETEXT_URL, **answer)

    with pytest.raises(ProviderError) as raised:
        send(make_client(disabled_statsd))

    assert RECIPIENT not in str(raised.value)
    assert CONTENT not in str(raised.value)


def test_a_refusal_records_firetexts_code(mocked_responses: responses.RequestsMock, disabled_statsd: StatsdClient):
    mocked_responses.post(FIRETEXT_URL, json={"code": 2, "description": "Destination error"})

    with pytest.raises(ProviderPermanentError) as raised:
        send(make_client(disabled_statsd))

    assert raised.value.code == "2"


def test_a_send_sends_a_success_count_and_the_request_time_to_statsd(
    mocked_responses: responses.RequestsMock, statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    mocked_responses.post(FIRETEXT_URL, json=QUEUED)

    send(make_client(statsd_client))

    success, request_time = statsd_listener.receive(2)
    assert success == "test.notifications.api.clients.firetext.success:1|c"
    assert re.fullmatch(r"test\.notifications\.api\.clients\.firetext\.request-time:\d+\.\d{6}\|ms", request_time)


def test_a_refused_send_sends_an_error_count_to_statsd(
    mocked_responses: responses.RequestsMock, statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    mocked_responses.post(FIRETEXT_URL, json={"code": 1, "description": "Authentication error"})

    with pytest.raises(ProviderRetryableError):
        send(make_client(statsd_client))

    assert statsd_listener.receive(1) == ["test.notifications.api.clients.firetext.error:1|c"]
