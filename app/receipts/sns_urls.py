"""The one policy for URLs Herald fetches because a message told it to (an SNS SigningCertURL or SubscribeURL).

A URL is trusted only when it is, character for character, one of two shapes on a trusted origin:

- a signing certificate: ``<origin>SimpleNotificationService-<hex>.pem``;
- a subscription confirmation: ``<origin>?Action=ConfirmSubscription&TopicArn=<the message's topic>&Token=<token>``.

The origin is ``https://sns.<region>.amazonaws.com/`` (lower-case, no port, no userinfo, a strict region pattern) or
one of the operator's trusted prefixes (the simulator under ``make run``, a local server in tests). The URL is matched
whole, once, and the URL that is then fetched is rebuilt from the matched parts, never the string the message gave:
no second parser (requests, urllib3) ever sees anything the match did not account for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_URL_LENGTH = 2048
# Printable ASCII but the backslash: no whitespace, no control characters, nothing a parser might read two ways.
_SAFE_CHARACTERS = re.compile(r"[\x21-\x5b\x5d-\x7e]+")
_REGION = r"[a-z]{2}(?:-[a-z]{1,16}){1,3}-[0-9]{1,2}"
_AWS_SNS_ORIGIN = re.compile(rf"https://sns\.(?P<region>{_REGION})\.amazonaws\.com/")
_CERTIFICATE_FILE = re.compile(r"SimpleNotificationService-[0-9a-fA-F]{16,128}\.pem")
_QUERY = re.compile(r"[A-Za-z0-9%:._~=&+-]+")
_TOKEN = re.compile(r"[A-Za-z0-9]{1,1024}")
_PREFIX_HOST = re.compile(r"[a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\]")
SUBSCRIBE_ACTION = "ConfirmSubscription"


class UntrustedSnsUrlError(Exception):
    """The URL is not one Herald may fetch; nothing was fetched."""


@dataclass(frozen=True)
class TrustedUrl:
    """A URL rebuilt from checked parts; ``is_aws`` when its origin is AWS SNS itself (not a configured prefix)."""

    url: str
    is_aws: bool


class SnsUrlPolicy:
    """Decides which SNS URLs may be fetched and rebuilds them; one per process, immutable."""

    def __init__(self, trusted_prefixes: Iterable[str] = ()) -> None:
        """Raises ValueError naming a trusted prefix that is not a plain ``http(s)://host[:port]/path/``."""
        self._prefixes = tuple(canonical_trusted_prefix(prefix) for prefix in trusted_prefixes if prefix)

    def certificate_url(self, url: object) -> TrustedUrl:
        """The certificate URL to fetch; raises UntrustedSnsUrlError unless ``url`` is one of the trusted shapes."""
        origin, is_aws, rest = self._split_origin(url)
        if not _CERTIFICATE_FILE.fullmatch(rest):
            raise UntrustedSnsUrlError("not an SNS signing certificate path")
        return TrustedUrl(f"{origin}{rest}", is_aws)

    def subscribe_url(self, url: object, *, topic_arn: str) -> TrustedUrl:
        """The SubscribeURL to visit, confirming ``topic_arn`` and nothing else; raises UntrustedSnsUrlError."""
        origin, is_aws, rest = self._split_origin(url)
        if not rest.startswith("?") or not _QUERY.fullmatch(rest[1:]):
            raise UntrustedSnsUrlError("not an SNS subscription confirmation")
        try:
            fields = parse_qsl(rest[1:], strict_parsing=True, max_num_fields=3)
        except ValueError as error:
            raise UntrustedSnsUrlError("not an SNS subscription confirmation") from error
        values = dict(fields)
        if len(values) != len(fields) or set(values) != {"Action", "TopicArn", "Token"}:
            raise UntrustedSnsUrlError("not an SNS subscription confirmation")
        if values["Action"] != SUBSCRIBE_ACTION or values["TopicArn"] != topic_arn:
            raise UntrustedSnsUrlError("not a confirmation of this topic")
        if not _TOKEN.fullmatch(values["Token"]):
            raise UntrustedSnsUrlError("not an SNS subscription token")
        query = urlencode([("Action", SUBSCRIBE_ACTION), ("TopicArn", topic_arn), ("Token", values["Token"])], safe=":")
        return TrustedUrl(f"{origin}?{query}", is_aws)

    def _split_origin(self, url: object) -> tuple[str, bool, str]:
        """(the trusted origin rebuilt, whether it is AWS, the rest of the URL after it)."""
        if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or not _SAFE_CHARACTERS.fullmatch(url):
            raise UntrustedSnsUrlError("not a plain URL")
        aws = _AWS_SNS_ORIGIN.match(url)
        if aws is not None:
            return f"https://sns.{aws['region']}.amazonaws.com/", True, url[aws.end() :]
        for prefix in self._prefixes:
            if url.startswith(prefix):
                return prefix, False, url[len(prefix) :]
        raise UntrustedSnsUrlError("not on a trusted host")


def canonical_trusted_prefix(prefix: str) -> str:
    """``prefix`` as ``scheme://host[:port]/path/``; raises ValueError unless it is exactly that and nothing more.

    A prefix ends with ``/`` so that what follows it can only be path: ``http://127.0.0.1:6030/`` trusts that server's
    files, never ``http://127.0.0.1:60301/`` or ``http://127.0.0.1:6030.evil.example/``.
    """
    if not _SAFE_CHARACTERS.fullmatch(prefix or "") or len(prefix) > MAX_URL_LENGTH:
        raise ValueError(f"SNS trusted prefix {prefix!r} has spaces, control characters or backslashes")
    parts = urlsplit(prefix)
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError(f"SNS trusted prefix {prefix!r} has a port that is not a number from 0 to 65535") from error
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    canonical = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if (
        parts.scheme not in ("http", "https")
        or not _PREFIX_HOST.fullmatch(host)
        or not parts.path.startswith("/")
        or not parts.path.endswith("/")
        or "//" in parts.path
        or "/." in parts.path
        or canonical != prefix
    ):
        raise ValueError(f"SNS trusted prefix {prefix!r} is not of the form http(s)://host[:port]/path/")
    return canonical
