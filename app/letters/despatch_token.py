"""The token in a print request's callback URL: the notification id, signed, so only the print provider (which was
given the URL) can confirm a letter's despatch (letters.md §5.5)."""

from __future__ import annotations

import hashlib
import hmac
import uuid

_PURPOSE = b"herald-letter-despatch-callback\x00"
_SEPARATOR = "."
MAX_TOKEN_LENGTH = 36 + 1 + 64


class InvalidDespatchTokenError(ValueError):
    """The token is malformed or its signature is not ours."""


def _signature(secret_key: str, notification_id: str) -> str:
    return hmac.new(secret_key.encode(), _PURPOSE + notification_id.encode(), hashlib.sha256).hexdigest()


def despatch_token(secret_key: str, notification_id: uuid.UUID) -> str:
    """`<notification id>.<HMAC-SHA256 of it>`, hex."""
    return f"{notification_id}{_SEPARATOR}{_signature(secret_key, str(notification_id))}"


def notification_id_of_despatch_token(secret_key: str, token: str) -> uuid.UUID:
    """The notification id the token signs; raises InvalidDespatchTokenError. Compares in constant time."""
    if len(token) > MAX_TOKEN_LENGTH or _SEPARATOR not in token:
        raise InvalidDespatchTokenError("malformed token")
    claimed_id, signature = token.split(_SEPARATOR, 1)
    try:
        notification_id = uuid.UUID(claimed_id)
    except ValueError as error:
        raise InvalidDespatchTokenError("malformed token") from error
    if not hmac.compare_digest(signature.encode(), _signature(secret_key, claimed_id).encode()):
        raise InvalidDespatchTokenError("bad signature")
    return notification_id
