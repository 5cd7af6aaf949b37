"""Sign a callback body so the service can tell it came from us: HMAC-SHA256 with the callback's signing secret."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Herald-Signature"


def sign_callback_body(body: bytes, signing_secret: str) -> str:
    """Return the signature header's value, ``sha256=<hex HMAC-SHA256 of the exact body bytes>``."""
    digest = hmac.new(signing_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
