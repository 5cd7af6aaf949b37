"""Operator sign-in: a one-time link (printed by `flask ops sign-in-link`) opens a session of bounded lifetime.

Tokens are 256 random bits. Only their SHA-256 digests are stored, so the database can neither show nor replay one;
looking a token up by its digest compares nothing an attacker controls byte by byte.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta

from app.clock import utc_now
from app.dao.ops_sign_ins_dao import (
    dao_count_open_ops_sessions,
    dao_count_usable_ops_sign_in_links,
    dao_create_ops_sign_in,
    dao_update_ops_session_signed_out,
    dao_update_ops_sign_in_to_open_session,
)

logger = logging.getLogger(__name__)

SIGN_IN_PATH = "/ops/sign-in/"
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet. Anything else is refused unhashed.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class SignInLinkRefusedError(Exception):
    """The link is unknown, used or expired (deliberately not saying which)."""


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_token_shaped(token: str) -> bool:
    return _TOKEN.fullmatch(token) is not None


def create_sign_in_link(*, base_url: str, valid_seconds: int, created_by: str | None) -> str:
    """Store a new one-time link and return its URL (the only place its token ever appears)."""
    token = _new_token()
    dao_create_ops_sign_in(
        link_token_hash=_digest(token),
        link_expires_at=utc_now() + timedelta(seconds=valid_seconds),
        created_by=created_by,
    )
    return f"{base_url.rstrip('/')}{SIGN_IN_PATH}{token}"


def is_sign_in_link_usable(link_token: str) -> bool:
    """Whether the link exists, is unused and unexpired (looking changes nothing: link previews do not use it)."""
    if not is_token_shaped(link_token):
        return False
    return dao_count_usable_ops_sign_in_links(_digest(link_token), now=utc_now()) == 1


def open_session(link_token: str, *, session_seconds: int) -> str:
    """Use the link, once, and return the new session's token. Raises SignInLinkRefusedError."""
    if not is_token_shaped(link_token):
        logger.warning("An operator console sign-in link was refused: not a token")
        raise SignInLinkRefusedError
    session_token = _new_token()
    now = utc_now()
    opened = dao_update_ops_sign_in_to_open_session(
        link_token_hash=_digest(link_token),
        now=now,
        session_token_hash=_digest(session_token),
        session_expires_at=now + timedelta(seconds=session_seconds),
    )
    if opened is None:
        logger.warning("An operator console sign-in link was refused: unknown, used or expired")
        raise SignInLinkRefusedError
    logger.info(
        "Operator console session %s opened (link made for %s)",
        opened.sign_in_id,
        opened.created_by or "no one named",
        extra={"ops_sign_in_id": opened.sign_in_id},
    )
    return session_token


def is_session_open(session_token: str) -> bool:
    """Whether the session exists and has neither expired nor been signed out."""
    if not is_token_shaped(session_token):
        return False
    return dao_count_open_ops_sessions(_digest(session_token), now=utc_now()) == 1


def end_session(session_token: str) -> None:
    """Sign the session out: its cookie opens nothing from now on, wherever a copy of it is."""
    if is_token_shaped(session_token):
        dao_update_ops_session_signed_out(_digest(session_token), now=utc_now())
