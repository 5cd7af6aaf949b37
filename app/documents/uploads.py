"""Turn the files of a send into download links, and store them only when the notification is stored.

`plan_documents` runs while the send is checked: it gives each file an id and a fresh key, seals it, and puts its
link in the personalisation, storing nothing. `stored_documents` wraps the storing of the notification: the
documents are written first and removed again if the notification is then not stored (refused, a lost
Idempotency-Key race, a broker that would not take the task), so a refused request never leaves a file behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from app.dao.documents_dao import dao_create_documents, dao_delete_documents_by_id
from app.documents import sealing
from app.documents.storage import DocumentStore
from app.models import Document
from app.notifications.file_uploads import ParsedFile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingDocument:
    """A sealed document and its link, not stored yet. Holds no key: the key lives only in ``link``."""

    id: uuid.UUID
    service_id: uuid.UUID
    sealed_content: bytes = field(repr=False)
    sealed_filename: bytes = field(repr=False)
    mimetype: str
    size_bytes: int
    recipient_proof: bytes | None = field(repr=False)
    expires_at: datetime
    link: str = field(repr=False)


def document_link(base_url: str, service_id: uuid.UUID, document_id: uuid.UUID, key: sealing.DocumentKey) -> str:
    return f"{base_url.rstrip('/')}/d/{service_id}/{document_id}?key={quote(key.for_link())}"


def plan_documents(
    personalisation: Mapping[str, Any],
    files: Mapping[str, ParsedFile],
    *,
    service_id: uuid.UUID,
    normalised_recipient: str,
    base_url: str,
    now: datetime,
) -> tuple[dict[str, Any], tuple[PendingDocument, ...]]:
    """The personalisation with each file replaced by its link, and the sealed documents to store."""
    linked = dict(personalisation)
    documents = []
    for name, parsed in files.items():
        document = _sealed(parsed, service_id, normalised_recipient, base_url, now)
        linked[name] = document.link
        documents.append(document)
    return linked, tuple(documents)


def _sealed(
    parsed: ParsedFile, service_id: uuid.UUID, normalised_recipient: str, base_url: str, now: datetime
) -> PendingDocument:
    document_id = uuid.uuid4()
    key = sealing.DocumentKey.generate()
    return PendingDocument(
        id=document_id,
        service_id=service_id,
        sealed_content=sealing.seal(key, document_id, sealing.CONTENT, parsed.content),
        sealed_filename=sealing.seal(key, document_id, sealing.FILENAME, parsed.download_name.encode()),
        mimetype=parsed.mimetype,
        size_bytes=len(parsed.content),
        recipient_proof=(
            sealing.recipient_proof(key, normalised_recipient) if parsed.is_email_confirmation_required else None
        ),
        expires_at=now + timedelta(weeks=parsed.retention_weeks),
        link=document_link(base_url, service_id, document_id, key),
    )


@contextmanager
def stored_documents(
    documents: tuple[PendingDocument, ...], notification_id: uuid.UUID, store: DocumentStore
) -> Iterator[None]:
    """Store the documents (rows first, so an interrupted upload is still found and removed at its expiry), run the
    block that stores the notification, and remove the documents again if that block raises."""
    if not documents:
        yield
        return
    dao_create_documents(_row(document, notification_id) for document in documents)
    try:
        for document in documents:
            store.put(document.service_id, document.id, document.sealed_content)
        yield
    except BaseException:
        discard_documents(documents, store)
        raise


def discard_documents(documents: tuple[PendingDocument, ...], store: DocumentStore) -> None:
    """Remove documents whose notification was not stored: their files, then the rows of those removed. A file the
    store would not remove keeps its row, so the expiry task tries again."""
    removed = []
    for document in documents:
        try:
            store.delete(document.service_id, document.id)
        except Exception:  # the store's own failure must not hide why the send failed; the row stays for expiry
            logger.exception("Could not remove document %s", document.id, extra={"document_id": str(document.id)})
            continue
        removed.append(document.id)
    dao_delete_documents_by_id(removed)
    logger.info("Removed %d documents of a send that was not stored", len(removed))


def _row(document: PendingDocument, notification_id: uuid.UUID) -> Document:
    return Document(
        id=document.id,
        service_id=document.service_id,
        notification_id=notification_id,
        encrypted_filename=document.sealed_filename,
        mimetype=document.mimetype,
        size_bytes=document.size_bytes,
        recipient_proof=document.recipient_proof,
        expires_at=document.expires_at,
    )
