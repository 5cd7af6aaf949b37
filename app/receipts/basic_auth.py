"""HTTP basic auth for provider callbacks (receipts, inbound SMS): missing credentials 401, wrong ones 403."""

from __future__ import annotations

import hmac

from flask import request

from app.errors import InvalidRequest


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def check_basic_auth(username: str, password: str) -> None:
    """Raise InvalidRequest 401 when the request has no basic credentials, 403 when they are not these.

    Username and password are both compared in constant time, always, so timing tells nothing about either.
    """
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise InvalidRequest(["Unauthorized: basic authentication credentials must be provided"], 401)
    is_username_right = _same(credentials.username or "", username)
    is_password_right = _same(credentials.password or "", password)
    if not (is_username_right and is_password_right):
        raise InvalidRequest(["Forbidden: invalid basic authentication credentials"], 403)
