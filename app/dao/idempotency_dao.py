"""Idempotency records: claim a key (racing requests meet in the primary key), complete it, read it, clear it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.dialects.postgresql import insert

from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import IdempotencyRecord, Notification
from app.statsd_decorators import statsd


def _claim_statement(
    *,
    service_id: uuid.UUID,
    idempotency_key: str,
    request_fingerprint: str,
    response_body: dict[str, Any],
    notification_id: uuid.UUID | None,
    created_at: datetime,
    expired_before: datetime,
) -> Any:
    """INSERT the record, or take over an expired one. While another transaction holds an uncommitted claim on the
    same key, PostgreSQL makes this wait for it; a live record wins and nothing is returned."""
    statement = insert(IdempotencyRecord).values(
        service_id=service_id,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
        response_body=response_body,
        notification_id=notification_id,
        created_at=created_at,
    )
    return statement.on_conflict_do_update(
        index_elements=[IdempotencyRecord.service_id, IdempotencyRecord.idempotency_key],
        set_={
            "request_fingerprint": statement.excluded.request_fingerprint,
            "response_body": statement.excluded.response_body,
            "notification_id": statement.excluded.notification_id,
            "created_at": statement.excluded.created_at,
        },
        where=IdempotencyRecord.created_at < expired_before,
    ).returning(IdempotencyRecord.idempotency_key)


@statsd(namespace="dao")
def dao_create_notification_with_idempotency_record(
    notification: Notification,
    *,
    idempotency_key: str,
    request_fingerprint: str,
    response_body: dict[str, Any],
    created_at: datetime,
    expired_before: datetime,
) -> bool:
    """Claim the key for ``notification`` (the record stays in flight: no notification_id yet) and insert the
    notification, in one transaction. Returns False, inserting nothing, when a live record holds the key."""
    claimed = db.session.execute(
        _claim_statement(
            service_id=notification.service_id,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            response_body=response_body,
            notification_id=None,
            created_at=created_at,
            expired_before=expired_before,
        )
    ).first()
    if claimed is None:
        db.session.rollback()
        return False
    db.session.add(notification)
    db.session.commit()
    return True


def dao_create_completed_idempotency_record(
    *,
    service_id: uuid.UUID,
    idempotency_key: str,
    request_fingerprint: str,
    response_body: dict[str, Any],
    notification_id: uuid.UUID,
    created_at: datetime,
    expired_before: datetime,
) -> bool:
    """Record a finished send that stored no notification (a smoke test). Returns False when a live record holds
    the key."""
    claimed = db.session.execute(
        _claim_statement(
            service_id=service_id,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint,
            response_body=response_body,
            notification_id=notification_id,
            created_at=created_at,
            expired_before=expired_before,
        )
    ).first()
    if claimed is None:
        db.session.rollback()
        return False
    db.session.commit()
    return True


def dao_get_idempotency_record(
    service_id: uuid.UUID, idempotency_key: str, *, created_after: datetime
) -> Row[str, uuid.UUID | None, dict[str, Any] | None, datetime]:
    """(request_fingerprint, notification_id, response_body, created_at) of a record newer than ``created_after``,
    read fresh from the database. Raises NoResultFound."""
    return db.session.execute(
        select(
            IdempotencyRecord.request_fingerprint,
            IdempotencyRecord.notification_id,
            IdempotencyRecord.response_body,
            IdempotencyRecord.created_at,
        ).where(
            IdempotencyRecord.service_id == service_id,
            IdempotencyRecord.idempotency_key == idempotency_key,
            IdempotencyRecord.created_at > created_after,
        )
    ).one()


def dao_update_idempotency_record_notification_id(
    service_id: uuid.UUID, idempotency_key: str, notification_id: uuid.UUID
) -> None:
    """Mark a claimed record complete: its notification is stored and queued."""
    db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.service_id == service_id, IdempotencyRecord.idempotency_key == idempotency_key)
        .values(notification_id=notification_id)
    )
    db.session.commit()


def dao_delete_idempotency_record(service_id: uuid.UUID, idempotency_key: str) -> None:
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.service_id == service_id, IdempotencyRecord.idempotency_key == idempotency_key
        )
    )
    db.session.commit()


def dao_delete_idempotency_records_created_before(cutoff: datetime) -> int:
    """Delete records older than ``cutoff`` (the nightly clear-out; reads already ignore them). Returns how many."""
    deleted = rows_changed(db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)))
    db.session.commit()
    return deleted
