"""post_to_provider over real sockets: a request that cannot have left is retryable (fail over at once); one the
provider may have taken is ProviderOutcomeUnknownError (wait for its receipt before sending again)."""

from __future__ import annotations

import pytest
import requests
import responses

from app.clients.errors import ProviderError, ProviderOutcomeUnknownError, ProviderRetryableError
from app.clients.sms.http_answers import post_to_provider
from app.clients.sms.http_session import create_pooled_session


def post(url: str, *, timeout_seconds: float = 5) -> requests.Response:
    return post_to_provider(
        create_pooled_session(), url, provider="mmg", timeout_seconds=timeout_seconds, json={"cid": "x"}
    )


def raised_by(url: str, *, timeout_seconds: float = 5) -> ProviderError:
    with pytest.raises(ProviderError) as raised:
        post(url, timeout_seconds=timeout_seconds)
    return raised.value


def test_a_refused_connection_is_retryable_and_certainly_not_sent(closed_endpoint: str):
    error = raised_by(closed_endpoint)

    assert (type(error), str(error)) == (ProviderRetryableError, "mmg could not be reached: ConnectionError")


def test_a_name_that_does_not_resolve_is_retryable_and_certainly_not_sent():
    error = raised_by("http://no-such-provider.invalid/send")

    assert type(error) is ProviderRetryableError


def test_a_read_timeout_after_sending_may_have_been_accepted(silent_endpoint: str):
    error = raised_by(silent_endpoint, timeout_seconds=0.2)

    assert (type(error), str(error)) == (
        ProviderOutcomeUnknownError,
        "mmg did not answer within 0.2s after the request was sent",
    )


def test_a_hang_up_after_the_request_was_sent_may_have_been_accepted(hanging_up_endpoint: str):
    error = raised_by(hanging_up_endpoint)

    assert (type(error), str(error)) == (
        ProviderOutcomeUnknownError,
        "mmg request failed after it may have been sent: ConnectionError",
    )


@pytest.mark.parametrize(
    ("exception", "expected_error"),
    [
        pytest.param(requests.ConnectTimeout(), ProviderRetryableError, id="connect-timeout"),
        pytest.param(requests.exceptions.ProxyError(), ProviderRetryableError, id="proxy-error"),
        pytest.param(requests.exceptions.InvalidHeader(), ProviderRetryableError, id="invalid-header"),
        pytest.param(requests.ReadTimeout(), ProviderOutcomeUnknownError, id="read-timeout"),
        pytest.param(requests.exceptions.ChunkedEncodingError(), ProviderOutcomeUnknownError, id="broken-answer"),
        pytest.param(requests.exceptions.SSLError(), ProviderOutcomeUnknownError, id="tls-error-after-connecting"),
    ],
)
def test_each_request_exception_is_sorted_by_whether_the_request_can_have_left(
    exception: Exception, expected_error: type[ProviderError]
):
    with responses.RequestsMock() as mocked:
        mocked.post("https://mmg.example/send", body=exception)
        error = raised_by("https://mmg.example/send")

    assert type(error) is expected_error


@pytest.mark.parametrize(
    ("status", "expected_error"),
    [
        pytest.param(500, ProviderOutcomeUnknownError, id="500"),
        pytest.param(502, ProviderOutcomeUnknownError, id="502"),
        pytest.param(504, ProviderOutcomeUnknownError, id="504"),
        pytest.param(599, ProviderOutcomeUnknownError, id="599"),
        pytest.param(501, ProviderRetryableError, id="501"),
        pytest.param(503, ProviderRetryableError, id="503"),
        pytest.param(505, ProviderRetryableError, id="505"),
        pytest.param(401, ProviderRetryableError, id="401"),
    ],
)
def test_a_server_error_may_have_been_accepted_unless_it_says_the_request_was_not_handled(
    status: int, expected_error: type[ProviderError]
):
    with responses.RequestsMock() as mocked:
        mocked.post("https://mmg.example/send", status=status, body="")
        error = raised_by("https://mmg.example/send")

    assert (type(error), error.code) == (expected_error, str(status))
