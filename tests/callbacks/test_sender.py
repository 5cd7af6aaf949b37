"""The callback sender against real hostile local servers: each bound (deadline, body cap, no redirects, no cookies,
checked addresses only) holds."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from ipaddress import ip_network

import pytest

from app.callbacks.destination_policy import IPNetwork
from app.callbacks.sender import (
    RESPONSE_BODY_LIMIT_BYTES,
    CallbackRejectedError,
    CallbackRetryableError,
    post_callback,
)
from tests.callbacks.hostile_servers import answer, drip, hostile_server, stream
from tests.callbacks.recording_server import RecordingServer

LOOPBACK: Sequence[IPNetwork] = (ip_network("127.0.0.0/8"), ip_network("::1/128"))
OK = b"HTTP/1.1 200 OK"


def _post(url: str, *, timeout_seconds: float = 5.0, local_networks: Sequence[IPNetwork] = LOOPBACK, **kw: str) -> int:
    return post_callback(
        url,
        b'{"id":"1"}',
        bearer_token=kw.get("bearer_token", "service-token-123"),
        signing_secret="signing-secret",
        timeout_seconds=timeout_seconds,
        local_networks=local_networks,
    )


@pytest.fixture
def target() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "prefix",
    [OK + b"\r\nX-Slow: ", OK + b"\r\nContent-Length: 1000000\r\n\r\n"],
    ids=["headers-never-end", "body-never-ends"],
)
def test_a_server_dripping_its_answer_is_cut_off_at_the_total_deadline(prefix: bytes) -> None:
    with hostile_server(drip(prefix, interval_seconds=0.05)) as server:
        started = time.monotonic()
        with pytest.raises(CallbackRetryableError) as raised:
            _post(server.url(), timeout_seconds=1.0)
        elapsed = time.monotonic() - started

    assert str(raised.value) == "no complete answer within 1 s"
    assert 0.9 <= elapsed < 3.0
    # It kept sending all along (a byte every 50 ms): no per-read timeout would ever have fired.
    assert server.bytes_written[0] - len(prefix) >= 10


def test_a_server_streaming_a_gigabyte_is_read_only_up_to_the_cap_and_the_callback_counts_as_delivered() -> None:
    with hostile_server(stream(OK, content_length=1 << 30)) as server:
        started = time.monotonic()
        status_code = _post(server.url())
        elapsed = time.monotonic() - started

    assert status_code == 200
    assert elapsed < 3.0
    # The connection was closed after the first RESPONSE_BODY_LIMIT_BYTES: the server got only as far as the
    # kernel's socket buffers let it.
    assert RESPONSE_BODY_LIMIT_BYTES <= server.bytes_written[0] < 64 * 1024 * 1024


@pytest.mark.parametrize("status_code", [301, 302, 303, 307, 308], ids=lambda code: f"http-{code}")
def test_a_redirect_is_not_followed_and_is_not_retried(target: RecordingServer, status_code: int) -> None:
    location = f"Location: {target.url}/elsewhere".encode()
    with (
        hostile_server(answer(f"HTTP/1.1 {status_code} Moved".encode(), location)) as server,
        pytest.raises(CallbackRejectedError) as raised,
    ):
        _post(server.url())

    assert str(raised.value) == f"HTTP {status_code}"
    assert target.requests == []


def test_cookies_a_server_sets_are_never_sent_back() -> None:
    with hostile_server(answer(OK, b"Set-Cookie: session=abc123; Path=/")) as server:
        first = _post(server.url())
        second = _post(server.url())

    assert (first, second) == (200, 200)
    assert [headers.get("cookie") for headers in server.request_headers] == [None, None]


def test_the_request_carries_the_name_from_the_url_as_host_while_going_to_the_checked_address(
    target: RecordingServer,
) -> None:
    port = target.url.rsplit(":", 1)[1]

    _post(f"http://localhost:{port}/callback")

    [request] = target.requests
    assert request.headers["Host"] == f"localhost:{port}"


@pytest.mark.parametrize(
    "url_template",
    ["https://127.0.0.1:{port}/callback", "https://localhost:{port}/callback", "https://[::1]:{port}/callback"],
    ids=["loopback-literal", "name-resolving-to-loopback", "ipv6-loopback-literal"],
)
def test_a_non_public_address_is_refused_at_send_time_before_any_connection(url_template: str) -> None:
    with hostile_server(answer(OK)) as server, pytest.raises(CallbackRejectedError) as raised:
        _post(url_template.format(port=server.port), local_networks=())

    assert str(raised.value).startswith("address refused by the destination policy")
    assert server.request_headers == []


def test_http_is_refused_when_no_local_network_is_allowed(target: RecordingServer) -> None:
    with pytest.raises(CallbackRejectedError) as raised:
        _post(f"{target.url}/callback", local_networks=())

    assert str(raised.value) == "URL refused by the destination policy: Callback URL must use https"
    assert target.requests == []


def test_http_to_an_address_outside_the_local_networks_is_refused(target: RecordingServer) -> None:
    with pytest.raises(CallbackRejectedError):
        _post(f"{target.url}/callback", local_networks=(ip_network("10.0.0.0/8"),))

    assert target.requests == []


def test_a_bearer_token_that_would_break_its_header_line_is_never_sent(target: RecordingServer) -> None:
    with pytest.raises(CallbackRejectedError) as raised:
        _post(f"{target.url}/callback", bearer_token="token-1234567\r\nX-Injected: yes")

    assert str(raised.value) == "bearer token is not sendable in a header"
    assert target.requests == []
