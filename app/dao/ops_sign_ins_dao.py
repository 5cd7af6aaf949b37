"""Operator console sign-ins: one-time links and the sessions they open, each token kept only as its hash."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update

from app.extensions import db
from app.models import OpsSignIn


@dataclass(frozen=True)
class OpenedSession:
    sign_in_id: uuid.UUID
    created_by: str | None


def dao_create_ops_sign_in(*, link_token_hash: str, link_expires_at: datetime, created_by: str | None) -> None:
    """Store a new sign-in link. Commits."""
    db.session.execute(
        insert(OpsSignIn).values(
            link_token_hash=link_token_hash, link_expires_at=link_expires_at, created_by=created_by
        )
    )
    db.session.commit()


def dao_update_ops_sign_in_to_open_session(
    *, link_token_hash: str, now: datetime, session_token_hash: str, session_expires_at: datetime
) -> OpenedSession | None:
    """Use the link (once, before it expires) to open a session; None when no unused, unexpired link has that hash.

    The guard is in the UPDATE itself, so two requests racing with one link open at most one session. Commits.
    """
    row = db.session.execute(
        update(OpsSignIn)
        .where(
            OpsSignIn.link_token_hash == link_token_hash,
            OpsSignIn.link_used_at.is_(None),
            OpsSignIn.link_expires_at > now,
        )
        .values(link_used_at=now, session_token_hash=session_token_hash, session_expires_at=session_expires_at)
        .returning(OpsSignIn.id, OpsSignIn.created_by)
    ).one_or_none()
    db.session.commit()
    return None if row is None else OpenedSession(sign_in_id=row.id, created_by=row.created_by)


def dao_count_usable_ops_sign_in_links(link_token_hash: str, *, now: datetime) -> int:
    """1 when a link with that hash exists, unused and unexpired; else 0."""
    return db.session.execute(
        select(func.count())
        .select_from(OpsSignIn)
        .where(
            OpsSignIn.link_token_hash == link_token_hash,
            OpsSignIn.link_used_at.is_(None),
            OpsSignIn.link_expires_at > now,
        )
    ).scalar_one()


def dao_count_open_ops_sessions(session_token_hash: str, *, now: datetime) -> int:
    """1 when the session with that hash is neither expired nor signed out; else 0."""
    return db.session.execute(
        select(func.count())
        .select_from(OpsSignIn)
        .where(
            OpsSignIn.session_token_hash == session_token_hash,
            OpsSignIn.session_expires_at > now,
            OpsSignIn.signed_out_at.is_(None),
        )
    ).scalar_one()


def dao_update_ops_session_signed_out(session_token_hash: str, *, now: datetime) -> None:
    """End the session now (nothing changes if it already ended). Commits."""
    db.session.execute(
        update(OpsSignIn)
        .where(OpsSignIn.session_token_hash == session_token_hash, OpsSignIn.signed_out_at.is_(None))
        .values(signed_out_at=now)
    )
    db.session.commit()
