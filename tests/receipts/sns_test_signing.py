"""Sign SNS messages the way SNS does, with a throwaway key and self-signed certificate made for the test run.

The canonical string and the signing are written here again on purpose: they are the oracle the verifier in
`app/receipts/sns_signature.py` is tested against, so they must not share its code."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.simulator.sns_signing import generate_signing_identity

NOTIFICATION_KEYS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_KEYS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


@dataclass(frozen=True)
class SigningIdentity:
    private_key: rsa.RSAPrivateKey
    certificate_pem: bytes


LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
FAR_AHEAD = datetime(2099, 1, 1, tzinfo=UTC)


@cache
def signing_identity(
    common_name: str = "sns.amazonaws.com", *, valid_from: datetime = LONG_AGO, valid_until: datetime = FAR_AHEAD
) -> SigningIdentity:
    """A key and its self-signed certificate (valid 2020-2099 unless told otherwise), one per argument set."""
    return SigningIdentity(*generate_signing_identity(common_name, valid_from=valid_from, valid_until=valid_until))


def canonical_string(message: dict[str, Any]) -> bytes:
    keys = NOTIFICATION_KEYS if message["Type"] == "Notification" else CONFIRMATION_KEYS
    return "".join(f"{key}\n{message[key]}\n" for key in keys if message.get(key) is not None).encode()


def sign(
    message: dict[str, Any],
    *,
    cert_url: str,
    version: str = "1",
    timestamp: datetime | None = None,
    identity: SigningIdentity | None = None,
) -> dict[str, Any]:
    """Return ``message`` stamped with a timestamp, the certificate URL and a SignatureVersion 1 or 2 signature."""
    identity = identity or signing_identity()
    signed = dict(message)
    moment = timestamp or datetime.now(UTC)
    signed["Timestamp"] = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    signed["SigningCertURL"] = cert_url
    signed["SignatureVersion"] = version
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # SNS SignatureVersion 1 is SHA1
    signature = identity.private_key.sign(canonical_string(signed), padding.PKCS1v15(), algorithm)
    signed["Signature"] = base64.b64encode(signature).decode()
    return signed
