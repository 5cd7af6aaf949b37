"""Fetching what an SNS message points at: 200 only, no redirects, no compression, capped in size and time."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
import requests
import responses

from app.receipts import sns_fetch
from app.receipts.sns_fetch import SnsFetchError, SnsFetchTooLargeError, fetch_small_document

URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem"


@pytest.fixture
def http() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_the_body_of_a_200_answer_is_returned(http: responses.RequestsMock) -> None:
    http.get(URL, body=b"-----BEGIN CERTIFICATE-----")

    assert fetch_small_document(URL, max_bytes=1024, timeout_seconds=5) == b"-----BEGIN CERTIFICATE-----"


def test_a_redirect_is_never_followed(http: responses.RequestsMock) -> None:
    http.get(URL, status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})

    with pytest.raises(SnsFetchError) as raised:
        fetch_small_document(URL, max_bytes=1024, timeout_seconds=5)

    assert (str(raised.value), [call.request.url for call in http.calls]) == ("answered 302", [URL])


@pytest.mark.parametrize("status", [404, 500, 204], ids=str)
def test_an_answer_other_than_200_is_an_error(http: responses.RequestsMock, status: int) -> None:
    http.get(URL, status=status)

    with pytest.raises(SnsFetchError) as raised:
        fetch_small_document(URL, max_bytes=1024, timeout_seconds=5)

    assert str(raised.value) == f"answered {status}"


def test_a_body_declared_longer_than_the_cap_is_refused_unread(http: responses.RequestsMock) -> None:
    http.get(URL, body=b"x" * 2048, auto_calculate_content_length=True)

    with pytest.raises(SnsFetchTooLargeError) as raised:
        fetch_small_document(URL, max_bytes=1024, timeout_seconds=5)

    assert str(raised.value) == "answered 2048 bytes, more than 1024"


def test_a_huge_body_of_unknown_length_is_read_only_just_past_the_cap(http: responses.RequestsMock) -> None:
    body = _EndlessBody()
    http.get(URL, body=io.BufferedReader(body, buffer_size=4096))

    with pytest.raises(SnsFetchTooLargeError):
        fetch_small_document(URL, max_bytes=16 * 1024, timeout_seconds=5)

    assert body.served <= 16 * 1024 + 4096


def test_a_body_exactly_at_the_cap_is_accepted(http: responses.RequestsMock) -> None:
    http.get(URL, body=b"x" * 1024)

    assert len(fetch_small_document(URL, max_bytes=1024, timeout_seconds=5)) == 1024


def test_a_compressed_answer_is_refused(http: responses.RequestsMock) -> None:
    http.get(URL, body=b"\x1f\x8b", headers={"Content-Encoding": "gzip"})

    with pytest.raises(SnsFetchError) as raised:
        fetch_small_document(URL, max_bytes=1024, timeout_seconds=5)

    assert str(raised.value) == "answered with a compressed body"


def test_a_network_failure_is_an_error_naming_only_its_kind(http: responses.RequestsMock) -> None:
    http.get(URL, body=requests.ConnectTimeout("connect timed out to 10.0.0.1"))

    with pytest.raises(SnsFetchError) as raised:
        fetch_small_document(URL, max_bytes=1024, timeout_seconds=5)

    assert str(raised.value) == "no answer (ConnectTimeout)"


class _EndlessBody(io.RawIOBase):
    """A body that never ends: each read gives up to ``piece`` bytes after ``delay_seconds``; counts what it served."""

    def __init__(self, *, piece: int = 1024 * 1024, delay_seconds: float = 0.0) -> None:
        self.piece = piece
        self.delay_seconds = delay_seconds
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        time.sleep(self.delay_seconds)
        size = min(self.piece, len(buffer))
        buffer[:size] = b"x" * size
        self.served += size
        return size


def test_a_server_dripping_bytes_is_cut_off_at_the_deadline(http: responses.RequestsMock) -> None:
    http.get(URL, body=io.BufferedReader(_EndlessBody(piece=1, delay_seconds=0.01), buffer_size=1))
    started = time.monotonic()

    with pytest.raises(SnsFetchError) as raised:
        fetch_small_document(URL, max_bytes=1024 * 1024, timeout_seconds=0.3)

    assert (str(raised.value), time.monotonic() - started < 2) == ("answer too slow", True)


def test_each_network_wait_is_bounded_by_the_read_timeout(http: responses.RequestsMock) -> None:
    http.get(URL, body=b"")

    fetch_small_document(URL, max_bytes=1024, timeout_seconds=30)

    assert http.calls[0].request.req_kwargs["timeout"] == (
        sns_fetch.CONNECT_TIMEOUT_SECONDS,
        sns_fetch.READ_TIMEOUT_SECONDS,
    )
