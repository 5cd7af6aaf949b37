"""The simulator's SNS signing identity, and signing SNS messages the way SNS does (SignatureVersion 1 or 2)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from app.receipts.sns_signature import canonical_sns_string

# SNS's SignatureVersion 1 is RSA-SHA1: a simulator must sign with it, because real SNS does and Herald verifies it.
HASH_BY_SIGNATURE_VERSION: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
CERTIFICATE_LIFETIME = timedelta(days=3650)


def generate_signing_identity(
    common_name: str = "sns.simulator.herald",
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, bytes]:
    """A fresh 2048-bit RSA key and its self-signed PEM certificate, by default valid from a day ago for ten years."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    valid_from = valid_from or datetime.now(UTC) - timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_until or valid_from + CERTIFICATE_LIFETIME)
        .sign(private_key, hashes.SHA256())
    )
    return private_key, certificate.public_bytes(serialization.Encoding.PEM)


def load_signing_identity(key_path: Path, cert_path: Path) -> tuple[rsa.RSAPrivateKey, bytes]:
    """The RSA key (unencrypted PEM) and certificate PEM in these files; raises ValueError if they don't match."""
    private_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f"{key_path} does not hold an RSA private key")
    cert_pem = cert_path.read_bytes()
    certificate_key = x509.load_pem_x509_certificate(cert_pem).public_key()
    if certificate_key != private_key.public_key():
        raise ValueError(f"{cert_path} is not the certificate of {key_path}")
    return private_key, cert_pem


def sign_sns_message(
    message: dict[str, Any], private_key: rsa.RSAPrivateKey, *, signature_version: str = "1"
) -> dict[str, Any]:
    """Return a copy of ``message`` with ``SignatureVersion`` and a base64 ``Signature`` over its canonical string.

    The message must already carry every signed key (Type, MessageId, Timestamp, …) and its ``SigningCertURL``.
    """
    hash_algorithm = HASH_BY_SIGNATURE_VERSION.get(signature_version)
    if hash_algorithm is None:
        raise ValueError(f"SNS has no SignatureVersion {signature_version!r}")
    signed = dict(message)
    signed["SignatureVersion"] = signature_version
    signature = private_key.sign(canonical_sns_string(signed), padding.PKCS1v15(), hash_algorithm())
    signed["Signature"] = base64.b64encode(signature).decode("ascii")
    return signed
