"""POST one callback to a service and sort the outcome: delivered, worth retrying, or refused for good.

The call goes through libcurl (pycurl), whose options are the bounds a hostile endpoint meets: one deadline for the
whole call (DNS, connect, TLS, sending, reading — a server dripping a byte a second is cut off by it), no redirects,
no cookie engine, no proxy from the environment, no content decoding, and an answer read only up to
RESPONSE_BODY_LIMIT_BYTES. Every address libcurl is about to connect to passes the destination policy first, so the
connection goes only to an address that was checked.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Collection, Mapping
from ipaddress import ip_address
from typing import Any

import certifi
import pycurl  # type: ignore[import-untyped]  # no stubs published with pycurl

from app.callbacks.destination_policy import (
    Destination,
    DestinationRefusedError,
    IPNetwork,
    check_address,
    parse_destination_url,
)
from app.callbacks.signing import SIGNATURE_HEADER, sign_callback_body

RESPONSE_BODY_LIMIT_BYTES = 4096
# What a bearer token may contain: visible ASCII, so it can never break out of its header line.
BEARER_TOKEN_PATTERN = re.compile(r"[\x21-\x7e]{10,1000}")
# libcurl failures that retrying cannot mend; every other transport failure (DNS, connect, TLS, timeout, a dropped
# connection) may be over by the next attempt.
# (pycurl names some by libcurl's older names: 8 is CURLE_WEIRD_SERVER_REPLY, and 100, CURLE_TOO_LARGE, answer
# headers beyond libcurl's bound, has no pycurl name yet.)
_PERMANENT_CURL_ERRORS = {
    pycurl.E_UNSUPPORTED_PROTOCOL,
    pycurl.E_URL_MALFORMAT,
    pycurl.E_FTP_WEIRD_SERVER_REPLY,
    pycurl.E_TOO_MANY_REDIRECTS,
    100,
}


class CallbackRetryableError(Exception):
    """The service may take the callback later: a network error, a timeout, a 5xx or a 429."""


class CallbackRejectedError(Exception):
    """The service refused the callback (another 4xx, a redirect), or its URL or address breaks the destination
    policy; retrying would not help."""


def encode_callback_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


class _AddressGuard:
    """libcurl's OPENSOCKETFUNCTION: opens a socket only to an address the destination policy allows.

    pycurl hands libcurl a duplicate of each socket's descriptor; ``close`` closes the originals.
    """

    def __init__(self, scheme: str, local_networks: Collection[IPNetwork]) -> None:
        self.scheme = scheme
        self.local_networks = local_networks
        self.refusal: DestinationRefusedError | None = None
        self.sockets: list[socket.socket] = []

    def __call__(self, purpose: int, address: Any) -> socket.socket | int:
        try:
            check_address(ip_address(address.addr[0]), scheme=self.scheme, local_networks=self.local_networks)
        except (DestinationRefusedError, ValueError) as error:
            self.refusal = error if isinstance(error, DestinationRefusedError) else DestinationRefusedError(str(error))
            refused: int = pycurl.SOCKET_BAD
            return refused
        opened = socket.socket(address.family, address.socktype, address.protocol)
        self.sockets.append(opened)
        return opened

    def close(self) -> None:
        for opened in self.sockets:
            opened.close()


class _CappedBody:
    """libcurl's WRITEFUNCTION: takes the answer's body up to the limit, then stops the transfer."""

    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self.received_bytes = 0
        self.is_full = False

    def __call__(self, chunk: bytes) -> int | None:
        self.received_bytes += len(chunk)
        if self.received_bytes >= self.limit_bytes:
            self.is_full = True
            return 0  # fewer bytes taken than given: libcurl ends the transfer (CURLE_WRITE_ERROR)
        return None


def post_callback(
    url: str,
    body: bytes,
    *,
    bearer_token: str,
    signing_secret: str,
    timeout_seconds: float,
    local_networks: Collection[IPNetwork],
) -> int:
    """POST ``body`` as JSON with the bearer token and the body's signature; return the 2xx status code.

    Raises CallbackRetryableError or CallbackRejectedError, each naming the status code or the failure's kind only.
    """
    try:
        destination = parse_destination_url(url, local_networks=local_networks)
    except DestinationRefusedError as error:
        raise CallbackRejectedError(f"URL refused by the destination policy: {error}") from error
    if not BEARER_TOKEN_PATTERN.fullmatch(bearer_token):
        raise CallbackRejectedError("bearer token is not sendable in a header")
    headers = [
        f"Authorization: Bearer {bearer_token}",
        "Content-Type: application/json",
        f"{SIGNATURE_HEADER}: {sign_callback_body(body, signing_secret)}",
        "User-Agent: Herald",
        "Expect:",  # no 100-continue round trip
    ]
    guard = _AddressGuard(destination.scheme, local_networks)
    answer = _CappedBody(RESPONSE_BODY_LIMIT_BYTES)
    curl = _prepared_curl(destination, body, headers, timeout_seconds, guard, answer)
    try:
        status_code = _perform(curl, guard, answer, timeout_seconds)
    finally:
        curl.close()
        guard.close()
    if status_code >= 500 or status_code == 429:
        raise CallbackRetryableError(f"HTTP {status_code}")
    if not 200 <= status_code < 300:
        raise CallbackRejectedError(f"HTTP {status_code}")
    return status_code


def _prepared_curl(
    destination: Destination,
    body: bytes,
    headers: list[str],
    timeout_seconds: float,
    guard: _AddressGuard,
    answer: _CappedBody,
) -> pycurl.Curl:
    curl = pycurl.Curl()
    protocol = pycurl.PROTO_HTTPS if destination.scheme == "https" else pycurl.PROTO_HTTP
    options: list[tuple[int, Any]] = [
        (pycurl.URL, destination.url),
        (pycurl.PROTOCOLS, protocol),
        (pycurl.FOLLOWLOCATION, 0),
        (pycurl.PROXY, ""),  # never a proxy from http_proxy/https_proxy: the guard must see the real peer
        (pycurl.NOSIGNAL, 1),  # timeouts without SIGALRM: safe in a worker thread
        (pycurl.TIMEOUT_MS, max(1, int(timeout_seconds * 1000))),
        (pycurl.CONNECTTIMEOUT_MS, max(1, int(timeout_seconds * 1000))),
        (pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1),
        (pycurl.CAINFO, certifi.where()),
        (pycurl.SSL_VERIFYPEER, 1),
        (pycurl.SSL_VERIFYHOST, 2),
        (pycurl.FORBID_REUSE, 1),
        (pycurl.BUFFERSIZE, RESPONSE_BODY_LIMIT_BYTES),
        (pycurl.OPENSOCKETFUNCTION, guard),
        (pycurl.WRITEFUNCTION, answer),
        (pycurl.HTTPHEADER, headers),
        (pycurl.POST, 1),
        (pycurl.POSTFIELDSIZE, len(body)),
        (pycurl.COPYPOSTFIELDS, body),
    ]
    for option, value in options:
        curl.setopt(option, value)
    return curl


def _perform(curl: pycurl.Curl, guard: _AddressGuard, answer: _CappedBody, timeout_seconds: float) -> int:
    """Run the transfer; return the answer's status code (also when the body was cut off at its limit)."""
    try:
        curl.perform()
    except pycurl.error as error:
        code = error.args[0]
        if not (code == pycurl.E_WRITE_ERROR and answer.is_full):
            raise _classified(code, guard, timeout_seconds) from error
    return int(curl.getinfo(pycurl.RESPONSE_CODE))


def _classified(code: int, guard: _AddressGuard, timeout_seconds: float) -> Exception:
    if guard.refusal is not None:
        return CallbackRejectedError(f"address refused by the destination policy: {guard.refusal}")
    if code == pycurl.E_OPERATION_TIMEDOUT:
        return CallbackRetryableError(f"no complete answer within {timeout_seconds:g} s")
    if code in _PERMANENT_CURL_ERRORS:
        return CallbackRejectedError(f"libcurl error {code}")
    return CallbackRetryableError(f"libcurl error {code}")
