"""Seal a document with a key of its own that only the email's link carries (AES-256-GCM).

Herald never stores the key: the stored content, the stored filename and the recipient proof are all useless
without it. Each sealed value is bound to its document id and purpose (the AEAD's associated data), so one
document's content cannot be passed off as another's, or a filename as content.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
ENCODED_KEY_LENGTH = 43  # base64url of 32 bytes, without padding

CONTENT = b"content"
FILENAME = b"filename"


class BadDocumentKeyError(Exception):
    """The link's key is malformed, or does not open this document."""


@dataclass(frozen=True, repr=False)
class DocumentKey:
    """A document's 256-bit key; its repr never shows it."""

    secret: bytes

    @classmethod
    def generate(cls) -> DocumentKey:
        return cls(os.urandom(KEY_BYTES))

    @classmethod
    def from_link(cls, encoded: str) -> DocumentKey:
        """Parse the link's `key` (base64url, no padding). Raises BadDocumentKeyError for anything else."""
        if len(encoded) != ENCODED_KEY_LENGTH:
            raise BadDocumentKeyError("wrong length")
        try:
            secret = base64.urlsafe_b64decode(encoded + "=")
        except (binascii.Error, ValueError) as error:
            raise BadDocumentKeyError("not base64url") from error
        if base64.urlsafe_b64encode(secret).rstrip(b"=").decode() != encoded:
            raise BadDocumentKeyError("not canonical base64url")
        return cls(secret)

    def for_link(self) -> str:
        return base64.urlsafe_b64encode(self.secret).rstrip(b"=").decode()

    def __repr__(self) -> str:
        return "DocumentKey(<hidden>)"


def seal(key: DocumentKey, document_id: uuid.UUID, purpose: bytes, plaintext: bytes) -> bytes:
    """Nonce followed by the ciphertext and its tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key.secret).encrypt(nonce, plaintext, document_id.bytes + purpose)


def unseal(key: DocumentKey, document_id: uuid.UUID, purpose: bytes, sealed: bytes) -> bytes:
    """The plaintext. Raises BadDocumentKeyError when the key is not this document's (or the bytes were altered)."""
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(key.secret).decrypt(nonce, ciphertext, document_id.bytes + purpose)
    except (InvalidTag, ValueError) as error:
        raise BadDocumentKeyError("does not open the document") from error


def recipient_proof(key: DocumentKey, normalised_email_address: str) -> bytes:
    """What is stored to check a typed address against: an HMAC under the document's key, so the stored value
    neither names the recipient nor can be tested against guessed addresses without the link."""
    return hmac.new(key.secret, normalised_email_address.encode(), hashlib.sha256).digest()


def is_recipient(key: DocumentKey, normalised_email_address: str, stored_proof: bytes) -> bool:
    """Compare in constant time."""
    return hmac.compare_digest(recipient_proof(key, normalised_email_address), stored_proof)
