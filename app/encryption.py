"""Encryption at rest for secrets and personal data (Fernet, key rotation through MultiFernet)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(Exception):
    """A value could not be decrypted with any configured key."""


def _fernet_key_from_secret(secret: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"herald-encryption:{secret}".encode()).digest())


class Encryptor:
    """Encrypts strings and JSON values; the first key encrypts, every key may decrypt (rotation)."""

    def __init__(self, keys: Sequence[str], fallback_secret: str) -> None:
        fernet_keys = [key.encode() for key in keys] or [_fernet_key_from_secret(fallback_secret)]
        self._fernet = MultiFernet([Fernet(key) for key in fernet_keys])

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as error:
            raise DecryptionError("value could not be decrypted with the configured keys") from error

    def encrypt_json(self, value: Any) -> str:
        return self.encrypt(json.dumps(value, separators=(",", ":")))

    def decrypt_json(self, token: str) -> Any:
        return json.loads(self.decrypt(token))


_encryptor: Encryptor | None = None


def init_encryption(keys: Sequence[str], fallback_secret: str) -> Encryptor:
    global _encryptor
    _encryptor = Encryptor(keys, fallback_secret)
    return _encryptor


def encryptor() -> Encryptor:
    if _encryptor is None:
        raise RuntimeError("encryption is not initialised: call create_app() first")
    return _encryptor
