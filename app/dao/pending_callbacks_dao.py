"""Callbacks owed to services whose task the broker could not take: recorded on that failure, taken by beat."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select

from app.extensions import db
from app.models import PendingCallback


def dao_record_pending_callback(task_name: str, row_id: uuid.UUID) -> None:
    """Store the owed callback in a transaction of its own, whatever the caller's session is doing."""
    with db.engine.begin() as connection:
        connection.execute(insert(PendingCallback).values(task_name=task_name, row_id=row_id))


def dao_get_pending_callbacks(limit: int) -> Sequence[PendingCallback]:
    """The oldest owed callbacks, locked until the caller commits; rows another sweep holds are skipped."""
    query = select(PendingCallback).order_by(PendingCallback.created_at).limit(limit).with_for_update(skip_locked=True)
    return db.session.execute(query).scalars().all()


def dao_delete_pending_callbacks(ids: Sequence[uuid.UUID]) -> None:
    """Delete the given rows (queued at last); the caller commits."""
    db.session.execute(delete(PendingCallback).where(PendingCallback.id.in_(ids)))


def dao_count_pending_callbacks() -> int:
    """How many callbacks are still owed (the table is empty while the broker takes every callback)."""
    return db.session.execute(select(func.count()).select_from(PendingCallback)).scalar_one()
