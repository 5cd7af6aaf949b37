"""AwsSesClient over real sockets: one attempt per send; a request that cannot have left is retryable, one that may
have been taken (read timeout, hang-up after sending, 500) is ProviderOutcomeUnknownError."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.clients.email.aws_ses import AwsSesClient
from app.clients.errors import ProviderOutcomeUnknownError, ProviderRetryableError, ProviderThrottledError
from app.clients.statsd_client import StatsdClient


class _FakeSes(ThreadingHTTPServer):
    """Answers every request with one fixed status, error type and JSON body, counting the requests."""

    daemon_threads = True

    def __init__(self, status: int, error_type: str | None, body: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), _FakeSesHandler)
        self.status = status
        self.error_type = error_type
        self.body = json.dumps(body).encode()
        self.request_count = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _FakeSesHandler(BaseHTTPRequestHandler):
    server: _FakeSes

    def do_POST(self) -> None:  # named by http.server
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.request_count += 1
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        if self.server.error_type:
            self.send_header("x-amzn-ErrorType", self.server.error_type)
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: object) -> None:
        return


def start(server: _FakeSes) -> Iterator[_FakeSes]:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def failing_ses() -> Iterator[_FakeSes]:
    yield from start(_FakeSes(500, "InternalFailure", {"message": "Something broke"}))


@pytest.fixture
def unavailable_ses() -> Iterator[_FakeSes]:
    yield from start(_FakeSes(503, "ServiceUnavailable", {"message": "Service unavailable"}))


@pytest.fixture
def throttling_ses() -> Iterator[_FakeSes]:
    yield from start(_FakeSes(429, "TooManyRequestsException", {"message": "Too many requests"}))


def make_client(endpoint_url: str, timeout_seconds: float = 5) -> AwsSesClient:
    return AwsSesClient(
        region="eu-west-1",
        statsd=StatsdClient(enabled=False),
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        timeout_seconds=timeout_seconds,
    )


def send(client: AwsSesClient) -> str:
    return client.send_email(
        from_address="test.service@notify.example",
        to_address="someone@example.com",
        subject="Subject",
        body_text="Text",
        body_html="<p>Text</p>",
        reply_to_address=None,
        notification_id=uuid.uuid4(),
    )


def test_an_internal_failure_may_have_been_accepted_and_botocore_does_not_retry_it(failing_ses: _FakeSes):
    with pytest.raises(ProviderRetryableError) as raised:
        send(make_client(failing_ses.url))

    assert (type(raised.value), raised.value.code, failing_ses.request_count) == (
        ProviderOutcomeUnknownError,
        "InternalFailure",
        1,
    )


def test_service_unavailable_is_retryable_and_certainly_not_accepted(unavailable_ses: _FakeSes):
    with pytest.raises(ProviderRetryableError) as raised:
        send(make_client(unavailable_ses.url))

    assert (type(raised.value), raised.value.code, unavailable_ses.request_count) == (
        ProviderRetryableError,
        "ServiceUnavailable",
        1,
    )


def test_throttling_is_a_throttled_error_and_botocore_does_not_retry_it(throttling_ses: _FakeSes):
    with pytest.raises(ProviderThrottledError) as raised:
        send(make_client(throttling_ses.url))

    assert (raised.value.code, throttling_ses.request_count) == ("TooManyRequestsException", 1)


def test_a_read_timeout_may_have_been_accepted(silent_endpoint: str):
    with pytest.raises(ProviderOutcomeUnknownError, match="ReadTimeoutError"):
        send(make_client(silent_endpoint, timeout_seconds=0.2))


def test_a_connection_closed_after_sending_may_have_been_accepted(hanging_up_endpoint: str):
    with pytest.raises(ProviderOutcomeUnknownError, match="ConnectionClosedError"):
        send(make_client(hanging_up_endpoint))


def test_an_unreachable_endpoint_is_retryable_and_certainly_not_sent(closed_endpoint: str):
    with pytest.raises(ProviderRetryableError, match="EndpointConnectionError") as raised:
        send(make_client(closed_endpoint))

    assert type(raised.value) is ProviderRetryableError
