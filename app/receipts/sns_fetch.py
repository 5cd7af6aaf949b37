"""GET a small document an SNS message pointed at (a signing certificate, a SubscribeURL), bounded in time and size.

Only URLs rebuilt by `sns_urls.SnsUrlPolicy` are passed here. Redirects are never followed, the body is read in
pieces and reading stops one byte past the cap, compressed answers are refused (no decompression bomb), and the
whole fetch stops at its deadline: each network wait is bounded by ``READ_TIMEOUT_SECONDS`` and the deadline is
checked between waits, so a server dripping bytes holds a thread for at most the deadline plus one such wait.
"""

from __future__ import annotations

import time

import requests
import urllib3.exceptions

CONNECT_TIMEOUT_SECONDS = 3.0
READ_TIMEOUT_SECONDS = 2.0
_CHUNK_BYTES = 4096


class SnsFetchError(Exception):
    """Nothing usable came back (no answer in time, not 200, an error): worth trying again later."""


class SnsFetchTooLargeError(SnsFetchError):
    """The answer was longer than the cap; reading stopped there."""


def fetch_small_document(url: str, *, max_bytes: int, timeout_seconds: float) -> bytes:
    """The body of a 200 answer to ``GET url``; raises SnsFetchTooLargeError past ``max_bytes``, else SnsFetchError."""
    deadline = time.monotonic() + timeout_seconds
    timeouts = (min(CONNECT_TIMEOUT_SECONDS, timeout_seconds), min(READ_TIMEOUT_SECONDS, timeout_seconds))
    try:
        with requests.get(
            url,
            timeout=timeouts,
            allow_redirects=False,
            stream=True,
            headers={"Accept-Encoding": "identity"},
        ) as response:
            _check_answer(response, max_bytes=max_bytes)
            return _read_capped(response, max_bytes=max_bytes, deadline=deadline)
    except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
        raise SnsFetchError(f"no answer ({type(error).__name__})") from error


def _check_answer(response: requests.Response, *, max_bytes: int) -> None:
    if response.status_code != 200:
        raise SnsFetchError(f"answered {response.status_code}")
    if response.headers.get("Content-Encoding", "identity").strip().lower() != "identity":
        raise SnsFetchError("answered with a compressed body")
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise SnsFetchTooLargeError(f"answered {declared} bytes, more than {max_bytes}")


def _read_capped(response: requests.Response, *, max_bytes: int, deadline: float) -> bytes:
    body = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise SnsFetchError("answer too slow")
        # read1 returns what one network read brought, so the deadline is checked between reads of a slow server.
        chunk = response.raw.read1(min(_CHUNK_BYTES, max_bytes + 1 - len(body)), decode_content=False)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > max_bytes:
            raise SnsFetchTooLargeError(f"answer longer than {max_bytes} bytes")
