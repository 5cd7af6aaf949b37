"""Documents sent by email: create, read, list the expired, delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import NoResultFound

from app.extensions import db
from app.models import Document


def dao_create_documents(documents: Iterable[Document]) -> None:
    db.session.add_all(list(documents))
    db.session.commit()


def dao_get_document_by_id(service_id: uuid.UUID, document_id: uuid.UUID) -> Document:
    """The service's document. Raises NoResultFound."""
    document = db.session.execute(
        select(Document).where(Document.id == document_id, Document.service_id == service_id)
    ).scalar_one_or_none()
    if document is None:
        raise NoResultFound(f"No document {document_id}")
    return document


def dao_list_expired_documents(now: datetime, limit: int) -> Sequence[tuple[uuid.UUID, uuid.UUID]]:
    """(service_id, id) of up to ``limit`` documents whose expiry has passed, oldest first."""
    rows = db.session.execute(
        select(Document.service_id, Document.id)
        .where(Document.expires_at <= now)
        .order_by(Document.expires_at)
        .limit(limit)
    ).all()
    return [(row.service_id, row.id) for row in rows]


def dao_delete_documents_by_id(document_ids: Iterable[uuid.UUID]) -> None:
    """Delete in a transaction of its own: a failed one the caller was in is rolled back first."""
    db.session.rollback()
    ids = list(document_ids)
    if ids:
        db.session.execute(delete(Document).where(Document.id.in_(ids)))
    db.session.commit()
