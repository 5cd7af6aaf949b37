"""HTTP basic auth for provider callbacks (receipts, inbound SMS): missing credentials 401, wrong ones 403."""

from __future__ import annotations

import hashlib
import hmac

from flask import request

from app.errors import InvalidRequest


def _same(given: str, expected: str) -> bool:
    """Compare digests, so neither the length nor the content of the expected value shows in the time taken."""
    return hmac.compare_digest(
        hashlib.sha256(given.encode("utf-8", "surrogatepass")).digest(),
        hashlib.sha256(expected.encode("utf-8", "surrogatepass")).digest(),
    )


def check_basic_auth(username: str | None, password: str | None) -> None:
    """Raise InvalidRequest 401 when the request has no basic credentials, 403 when they are not these.

    Username and password are both compared in constant time, always, so timing tells nothing about either. When
    either expected value is missing every request is refused: no credentials configured never means open.
    """
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise InvalidRequest(["Unauthorized: basic authentication credentials must be provided"], 401)
    is_username_right = _same(credentials.username or "", username or "")
    is_password_right = _same(credentials.password or "", password or "")
    if not (is_username_right and is_password_right and username and password):
        raise InvalidRequest(["Forbidden: invalid basic authentication credentials"], 403)
