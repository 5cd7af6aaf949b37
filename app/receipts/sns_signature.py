"""Verify SNS HTTP messages: SignatureVersion 1 (RSA-SHA1) and 2 (RSA-SHA256) over SNS's canonical string, with a
certificate fetched only from a trusted URL and cached, and stale messages refused (notify-reference §4.3)."""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.clock import utc_now
from app.receipts.sns_subscription import is_trusted_sns_url

NOTIFICATION_SIGNED_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_SIGNED_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
SIGNED_KEYS_BY_TYPE = {
    "Notification": NOTIFICATION_SIGNED_KEYS,
    "SubscriptionConfirmation": CONFIRMATION_SIGNED_KEYS,
    "UnsubscribeConfirmation": CONFIRMATION_SIGNED_KEYS,
}
OPTIONAL_SIGNED_KEYS = frozenset({"Subject"})
HASH_BY_SIGNATURE_VERSION: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "1": hashes.SHA1,  # SNS's SignatureVersion 1 is SHA1; we only verify it, never sign with it
    "2": hashes.SHA256,
}
# How far ahead of our clock a message's Timestamp may be (clock skew between SNS and us).
FUTURE_SKEW = timedelta(minutes=5)


class SnsVerificationError(Exception):
    """The message is not a genuine, fresh SNS message; answer 4xx (SNS does not retry those)."""


class SnsCertificateUnavailableError(SnsVerificationError):
    """The trusted certificate could not be fetched just now; answer 5xx so SNS sends the message again."""


class SnsCertificateStore:
    """Fetches signing certificates from trusted URLs only and keeps their public keys for ``cache_seconds``.

    Trusted: https on ``sns.<region>.amazonaws.com``, or a URL under one of ``trusted_url_prefixes`` (the simulator
    and tests). One store per process; thread-safe.
    """

    def __init__(
        self,
        *,
        trusted_url_prefixes: Iterable[str] = (),
        cache_seconds: float = 3600.0,
        timeout_seconds: float = 5.0,
        fetch: Callable[[str, float], bytes] | None = None,
    ) -> None:
        self._trusted_url_prefixes = tuple(prefix for prefix in trusted_url_prefixes if prefix)
        self._cache_seconds = cache_seconds
        self._timeout_seconds = timeout_seconds
        self._fetch = fetch or _fetch_certificate
        self._certificates: dict[str, tuple[float, x509.Certificate]] = {}
        self._lock = threading.Lock()

    def is_trusted(self, url: str) -> bool:
        return is_trusted_sns_url(url, trusted_prefixes=self._trusted_url_prefixes)

    def certificate(self, url: str) -> x509.Certificate:
        """The certificate at ``url``; raises SnsVerificationError for an untrusted URL or a malformed certificate."""
        if not self.is_trusted(url):
            raise SnsVerificationError("untrusted certificate URL")
        with self._lock:
            cached = self._certificates.get(url)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            certificate = x509.load_pem_x509_certificate(self._fetch(url, self._timeout_seconds))
        except ValueError as error:
            raise SnsVerificationError("malformed certificate") from error
        with self._lock:
            self._certificates[url] = (time.monotonic(), certificate)
        return certificate


def _fetch_certificate(url: str, timeout_seconds: float) -> bytes:
    try:
        response = requests.get(url, timeout=timeout_seconds, allow_redirects=False)
    except requests.RequestException as error:
        raise SnsCertificateUnavailableError(f"certificate could not be fetched ({type(error).__name__})") from error
    with response:
        if response.status_code != 200:
            raise SnsCertificateUnavailableError(f"certificate URL answered {response.status_code}")
        return response.content


def canonical_sns_string(message: Mapping[str, Any]) -> bytes:
    """SNS's string to sign: ``Key\\nValue\\n`` for each signed key of the message's type, in order.

    ``Subject`` is signed only when present and not null; every other signed key is required. Raises
    SnsVerificationError for an unknown ``Type`` or a missing key.
    """
    keys = SIGNED_KEYS_BY_TYPE.get(str(message.get("Type")))
    if keys is None:
        raise SnsVerificationError("unknown message type")
    missing = [key for key in keys if key not in OPTIONAL_SIGNED_KEYS and message.get(key) is None]
    if missing:
        raise SnsVerificationError(f"missing {', '.join(missing)}")
    return "".join(f"{key}\n{message[key]}\n" for key in keys if message.get(key) is not None).encode()


def verify_sns_message(
    message: Mapping[str, Any],
    *,
    certificates: SnsCertificateStore,
    max_age_seconds: float = 3600.0,
    now: datetime | None = None,
) -> None:
    """Raise SnsVerificationError unless ``message`` is signed by its trusted certificate and not stale.

    ``now`` defaults to the current time (``app.clock.utc_now``).
    """
    now = utc_now() if now is None else now
    hash_algorithm = HASH_BY_SIGNATURE_VERSION.get(str(message.get("SignatureVersion")))
    if hash_algorithm is None:
        raise SnsVerificationError("unsupported SignatureVersion")
    signature = _signature(message)
    canonical = canonical_sns_string(message)
    _check_fresh(message, max_age_seconds=max_age_seconds, now=now)
    # The Lambda-forwarded copy of a message spells it SigningCertUrl.
    certificate = certificates.certificate(str(message.get("SigningCertURL") or message.get("SigningCertUrl") or ""))
    _check_certificate_dates(certificate, now)
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("certificate key is not RSA")
    try:
        public_key.verify(signature, canonical, padding.PKCS1v15(), hash_algorithm())
    except InvalidSignature as error:
        raise SnsVerificationError("signature does not match") from error


def _signature(message: Mapping[str, Any]) -> bytes:
    try:
        signature = base64.b64decode(str(message.get("Signature") or ""), validate=True)
    except (binascii.Error, ValueError) as error:
        raise SnsVerificationError("malformed signature") from error
    if not signature:
        raise SnsVerificationError("unsigned message")
    return signature


def _check_fresh(message: Mapping[str, Any], *, max_age_seconds: float, now: datetime) -> None:
    try:
        timestamp = datetime.fromisoformat(str(message.get("Timestamp")))
    except ValueError as error:
        raise SnsVerificationError("malformed Timestamp") from error
    if timestamp.tzinfo is None:
        raise SnsVerificationError("malformed Timestamp")
    if now - timestamp > timedelta(seconds=max_age_seconds):
        raise SnsVerificationError("stale message")
    if timestamp - now > FUTURE_SKEW:
        raise SnsVerificationError("Timestamp in the future")


def _check_certificate_dates(certificate: x509.Certificate, now: datetime) -> None:
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise SnsVerificationError("certificate expired or not yet valid")
