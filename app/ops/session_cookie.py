"""The console's session cookie (signed, HttpOnly, SameSite=Strict, Secure when deployed), its CSRF token, and the
before_request hook that refuses every console page without an open session."""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Response, current_app, g, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.ops.sign_in import is_session_open
from config import DEVELOPMENT_ENVIRONMENTS

logger = logging.getLogger(__name__)

COOKIE_NAME = "herald_ops_session"
COOKIE_PATH = "/ops"
_COOKIE_SALT = "herald-ops-session"
_CSRF_CONTEXT = b"herald-ops-csrf:"
# The session token signed: about 100 characters. A longer cookie is not even verified.
MAX_COOKIE_LENGTH = 256


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["OPS_SECRET_KEY"], salt=_COOKIE_SALT)


def set_session_cookie(response: Response, session_token: str) -> None:
    config = current_app.config
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(session_token),
        max_age=config["OPS_SESSION_SECONDS"],
        path=COOKIE_PATH,
        secure=config["NOTIFY_ENVIRONMENT"] not in DEVELOPMENT_ENVIRONMENTS,
        httponly=True,
        samesite="Strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="Strict")


def session_token_from_cookie() -> str | None:
    """The session token the request's cookie carries, if its signature is ours and it is not older than a session
    may live; None otherwise. Whether the session is still open is for the database to say."""
    cookie = request.cookies.get(COOKIE_NAME)
    if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
        return None
    try:
        token = _serializer().loads(cookie, max_age=current_app.config["OPS_SESSION_SECONDS"])
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def csrf_token(session_token: str) -> str:
    """The token a console form must send back: bound to the session, so another site cannot know it."""
    key = current_app.config["OPS_SECRET_KEY"].encode()
    return hmac.new(key, _CSRF_CONTEXT + session_token.encode(), hashlib.sha256).hexdigest()


def is_csrf_token_valid(given: str, session_token: str) -> bool:
    return hmac.compare_digest(given.encode(), csrf_token(session_token).encode())


def requires_ops_session() -> Response | None:
    """before_request hook of the console: a page without an open session is refused (401) with how to sign in,
    and no data."""
    session_token = session_token_from_cookie()
    if session_token is None or not is_session_open(session_token):
        response = Response(render_template("ops/sign_in_needed.html"), status=401)
        if session_token is not None or COOKIE_NAME in request.cookies:
            clear_session_cookie(response)
        return response
    g.ops_session_token = session_token
    return None
