"""The simulator's SNS signing: what it signs, Herald's verifier accepts; identities load from PEM files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.receipts.sns_signature import SnsCertificateStore, SnsVerificationError, verify_sns_message
from app.simulator.sns_signing import generate_signing_identity, load_signing_identity, sign_sns_message

CERT_URL = "http://127.0.0.1:6030/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
IDENTITY = generate_signing_identity()


def _notification() -> dict[str, Any]:
    return {
        "Type": "Notification",
        "MessageId": "5a3c1e0b-1f4e-4c5b-9a57-0c2d7f6e8b9a",
        "TopicArn": "arn:aws:sns:eu-west-2:000000000000:herald-simulator-ses-events",
        "Message": '{"notificationType": "Delivery"}',
        "Timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "SigningCertURL": CERT_URL,
    }


def _store(cert_pem: bytes = IDENTITY[1]) -> SnsCertificateStore:
    return SnsCertificateStore(trusted_url_prefixes=["http://127.0.0.1:6030/"], fetch=lambda url, timeout: cert_pem)


def _write_key(path: Path, private_key: rsa.RSAPrivateKey) -> Path:
    path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    return path


@pytest.mark.parametrize("version", ["1", "2"], ids=["v1-sha1", "v2-sha256"])
def test_signed_message_verifies(version: str) -> None:
    signed = sign_sns_message(_notification(), IDENTITY[0], signature_version=version)

    verify_sns_message(signed, certificates=_store())

    assert signed["SignatureVersion"] == version


def test_signing_returns_a_copy() -> None:
    message = _notification()

    sign_sns_message(message, IDENTITY[0])

    assert "Signature" not in message


def test_message_signed_with_another_identity_does_not_verify() -> None:
    other_key, _ = generate_signing_identity("other.simulator.herald")
    signed = sign_sns_message(_notification(), other_key)

    with pytest.raises(SnsVerificationError) as raised:
        verify_sns_message(signed, certificates=_store())

    assert str(raised.value) == "signature does not match"


def test_unknown_signature_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^SNS has no SignatureVersion '3'$"):
        sign_sns_message(_notification(), IDENTITY[0], signature_version="3")


def test_identity_loads_from_its_pem_files(tmp_path: Path) -> None:
    cert_path = tmp_path / "cert.pem"
    cert_path.write_bytes(IDENTITY[1])
    key_path = _write_key(tmp_path / "key.pem", IDENTITY[0])

    private_key, cert_pem = load_signing_identity(key_path, cert_path)

    assert (private_key.public_key(), cert_pem) == (IDENTITY[0].public_key(), IDENTITY[1])


def test_key_and_certificate_that_do_not_match_are_refused(tmp_path: Path) -> None:
    cert_path = tmp_path / "cert.pem"
    cert_path.write_bytes(IDENTITY[1])
    key_path = _write_key(tmp_path / "key.pem", generate_signing_identity()[0])

    with pytest.raises(ValueError, match="is not the certificate of"):
        load_signing_identity(key_path, cert_path)
