"""Release a document to whoever holds its link (and, when asked, knows the recipient's email address).

Each step raises a typed error the download page turns into its own page and status: a link that names no
document (`DocumentNotFoundError`), a key that does not open it (`BadDocumentKeyError`), a document past its
retention (`DocumentExpiredError`), too many wrong addresses (`TooManyAttemptsError`) or a wrong one
(`WrongEmailAddressError`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

import redis
from sqlalchemy.exc import NoResultFound

from app.clients.statsd_client import get_statsd_client
from app.dao.documents_dao import dao_get_document_by_id
from app.dao.services_dao import dao_get_service_by_id
from app.documents import confirmation_attempts, sealing
from app.documents.sealing import BadDocumentKeyError, DocumentKey
from app.documents.storage import DocumentMissingError, DocumentStore
from app.extensions import db
from app.recipients.email_addresses import MAX_ADDRESS_LENGTH, normalise_email_address


class DocumentNotFoundError(Exception):
    """No such document for this service: never sent, or deleted at the end of its retention."""


class DocumentExpiredError(Exception):
    """The document's retention has ended (the expiry task may not have removed it yet)."""


class TooManyAttemptsError(Exception):
    """Too many wrong email addresses were typed for this document; try again later."""


class WrongEmailAddressError(Exception):
    """The typed address is not the one the file was sent to (or is empty)."""


@dataclass(frozen=True)
class FoundDocument:
    id: uuid.UUID
    service_id: uuid.UUID
    service_name: str
    contact_link: str | None
    filename: str
    mimetype: str
    size_bytes: int
    recipient_proof: bytes | None = field(repr=False)
    expires_at: datetime

    @property
    def is_email_confirmation_required(self) -> bool:
        return self.recipient_proof is not None


@dataclass(frozen=True)
class AttemptPolicy:
    client: redis.Redis | None
    max_attempts: int
    window_seconds: int


def find_document(service_id: uuid.UUID, document_id: uuid.UUID, key: DocumentKey, now: datetime) -> FoundDocument:
    """The document the link names, once its key is proven by opening the sealed filename. Raises
    DocumentNotFoundError, BadDocumentKeyError or DocumentExpiredError."""
    try:
        document = dao_get_document_by_id(service_id, document_id)
    except NoResultFound as error:
        _count("not-found")
        raise DocumentNotFoundError(str(document_id)) from error
    try:
        filename = sealing.unseal(key, document.id, sealing.FILENAME, document.encrypted_filename)
    except BadDocumentKeyError:
        _count("bad-key")
        raise
    if document.expires_at <= now:
        _count("expired")
        raise DocumentExpiredError(str(document_id))
    service = dao_get_service_by_id(service_id)
    return FoundDocument(
        id=document.id,
        service_id=document.service_id,
        service_name=service.name,
        contact_link=service.contact_link,
        filename=filename.decode(),
        mimetype=document.mimetype,
        size_bytes=document.size_bytes,
        recipient_proof=document.recipient_proof,
        expires_at=document.expires_at,
    )


def check_email_address(document: FoundDocument, key: DocumentKey, typed_address: str, attempts: AttemptPolicy) -> None:
    """Raise TooManyAttemptsError when the document takes no more tries, WrongEmailAddressError (counting a try)
    when the address is not the recipient's. Addresses compare normalised, in constant time."""
    if document.recipient_proof is None:
        return
    if not confirmation_attempts.has_attempts_left(attempts.client, document.id, attempts.max_attempts):
        _count("confirmation-locked")
        raise TooManyAttemptsError(str(document.id))
    address = typed_address[: MAX_ADDRESS_LENGTH * 2]  # bound the work; a longer one cannot match anyway
    if not sealing.is_recipient(key, normalise_email_address(address), document.recipient_proof):
        confirmation_attempts.record_wrong_attempt(attempts.client, document.id, attempts.window_seconds)
        _count("confirmation-failed")
        raise WrongEmailAddressError(str(document.id))


def read_document(document: FoundDocument, key: DocumentKey, store: DocumentStore) -> bytes:
    """The file's bytes. Raises DocumentExpiredError when its content is gone (removed by the expiry task between
    the lookup and now) and BadDocumentKeyError when the stored bytes do not open."""
    db.session.remove()  # no database connection is held while the store (S3) answers
    try:
        sealed = store.get(document.service_id, document.id)
    except DocumentMissingError as error:
        _count("expired")
        raise DocumentExpiredError(str(document.id)) from error
    content = sealing.unseal(key, document.id, sealing.CONTENT, sealed)
    _count("download")
    return content


def _count(outcome: str) -> None:
    get_statsd_client().incr(f"documents.{outcome}")
