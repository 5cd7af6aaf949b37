"""Verify SNS HTTP messages: SignatureVersion 1 (RSA-SHA1) and 2 (RSA-SHA256) over SNS's canonical string, with a
certificate fetched only from a URL the SNS URL policy trusts, bounded and cached, and stale messages refused
(notify-reference §4.3)."""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from app.clock import utc_now
from app.receipts.sns_fetch import SnsFetchError, SnsFetchTooLargeError, fetch_small_document
from app.receipts.sns_urls import SnsUrlPolicy, UntrustedSnsUrlError

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
# A real SNS signing certificate is a few kilobytes; reading stops past this.
MAX_CERTIFICATE_BYTES = 16 * 1024
MAX_CACHED_CERTIFICATES = 32
# The subject (common name) of the certificates SNS signs with, on every sns.<region>.amazonaws.com.
AWS_SNS_CERTIFICATE_SUBJECT = "sns.amazonaws.com"


class SnsVerificationError(Exception):
    """The message is not a genuine, fresh SNS message; answer 4xx (SNS does not retry those)."""


class SnsUntrustedCertificateError(SnsVerificationError):
    """The certificate the message names is not one to trust (its URL, its content, its subject or its dates)."""


class SnsCertificateUnavailableError(SnsVerificationError):
    """The trusted certificate could not be fetched just now; answer 5xx so SNS sends the message again."""


class SnsCertificateStore:
    """Fetches signing certificates from URLs the SNS URL policy trusts and keeps them for ``cache_seconds``.

    Trusted: `sns_urls.SnsUrlPolicy` (``https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem``, or
    that file under one of ``trusted_url_prefixes``: the simulator and tests). The URL fetched is the one the policy
    rebuilt; a certificate from AWS must be issued to ``sns.amazonaws.com``. At most ``MAX_CACHED_CERTIFICATES`` are
    kept. One store per process; thread-safe.
    """

    def __init__(
        self,
        *,
        trusted_url_prefixes: Iterable[str] = (),
        cache_seconds: float = 3600.0,
        timeout_seconds: float = 5.0,
        fetch: Callable[[str, float], bytes] | None = None,
    ) -> None:
        self.urls = SnsUrlPolicy(trusted_url_prefixes)
        self._cache_seconds = cache_seconds
        self._timeout_seconds = timeout_seconds
        self._fetch = fetch or _fetch_certificate
        self._certificates: dict[str, tuple[float, x509.Certificate]] = {}
        self._lock = threading.Lock()

    def certificate(self, url: object) -> x509.Certificate:
        """The certificate at ``url``; raises SnsUntrustedCertificateError for an untrusted URL or certificate, and
        SnsCertificateUnavailableError when it could not be fetched."""
        try:
            location = self.urls.certificate_url(url)
        except UntrustedSnsUrlError as error:
            raise SnsUntrustedCertificateError("untrusted certificate URL") from error
        with self._lock:
            cached = self._certificates.get(location.url)
        if cached is not None and time.monotonic() - cached[0] < self._cache_seconds:
            return cached[1]
        try:
            certificate = x509.load_pem_x509_certificate(self._fetch(location.url, self._timeout_seconds))
        except ValueError as error:
            raise SnsUntrustedCertificateError("malformed certificate") from error
        if location.is_aws:
            _check_aws_subject(certificate)
        self._keep(location.url, certificate)
        return certificate

    def _keep(self, url: str, certificate: x509.Certificate) -> None:
        with self._lock:
            if url not in self._certificates and len(self._certificates) >= MAX_CACHED_CERTIFICATES:
                del self._certificates[min(self._certificates, key=lambda key: self._certificates[key][0])]
            self._certificates[url] = (time.monotonic(), certificate)


def _check_aws_subject(certificate: x509.Certificate) -> None:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if [name.value for name in names] != [AWS_SNS_CERTIFICATE_SUBJECT]:
        raise SnsUntrustedCertificateError("certificate not issued to SNS")


def _fetch_certificate(url: str, timeout_seconds: float) -> bytes:
    try:
        return fetch_small_document(url, max_bytes=MAX_CERTIFICATE_BYTES, timeout_seconds=timeout_seconds)
    except SnsFetchTooLargeError as error:
        raise SnsUntrustedCertificateError(f"certificate too large ({error})") from error
    except SnsFetchError as error:
        raise SnsCertificateUnavailableError(f"certificate could not be fetched: {error}") from error


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
    certificate = certificates.certificate(message.get("SigningCertURL") or message.get("SigningCertUrl"))
    _check_certificate_dates(certificate, now)
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsUntrustedCertificateError("certificate key is not RSA")
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
        raise SnsUntrustedCertificateError("certificate expired or not yet valid")
