"""Letter contact blocks: a service's addresses printed top right of its letters; at most one is the default."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update

from app.clock import utc_now
from app.extensions import db
from app.models import ServiceLetterContact, Template


def dao_list_letter_contacts(service_id: uuid.UUID) -> Sequence[ServiceLetterContact]:
    """The service's contact blocks, the default first, then the newest."""
    statement = (
        select(ServiceLetterContact)
        .where(ServiceLetterContact.service_id == service_id, ServiceLetterContact.archived.is_(False))
        .order_by(ServiceLetterContact.is_default.desc(), ServiceLetterContact.created_at.desc())
    )
    return db.session.execute(statement).scalars().all()


def dao_get_letter_contact_by_id(service_id: uuid.UUID, letter_contact_id: uuid.UUID | str) -> ServiceLetterContact:
    """One of the service's contact blocks (not archived). Raises NoResultFound."""
    statement = select(ServiceLetterContact).where(
        ServiceLetterContact.service_id == service_id,
        ServiceLetterContact.id == letter_contact_id,
        ServiceLetterContact.archived.is_(False),
    )
    return db.session.execute(statement).scalar_one()


def dao_find_letter_contact_by_id(
    service_id: uuid.UUID, letter_contact_id: uuid.UUID | str
) -> ServiceLetterContact | None:
    """The contact block a template points at, archived or not; None when there is none."""
    statement = select(ServiceLetterContact).where(
        ServiceLetterContact.service_id == service_id, ServiceLetterContact.id == letter_contact_id
    )
    return db.session.execute(statement).scalar_one_or_none()


def dao_create_letter_contact(service_id: uuid.UUID, *, contact_block: str, is_default: bool) -> ServiceLetterContact:
    """Store a contact block; a new default takes over from the old one. Commits."""
    if is_default:
        _clear_default(service_id)
    contact = ServiceLetterContact(service_id=service_id, contact_block=contact_block, is_default=is_default)
    db.session.add(contact)
    db.session.commit()
    return contact


def dao_update_letter_contact(
    contact: ServiceLetterContact, *, contact_block: str, is_default: bool
) -> ServiceLetterContact:
    """Change a contact block's text and whether it is the default. Commits."""
    if is_default and not contact.is_default:
        _clear_default(contact.service_id)
    contact.contact_block = contact_block
    contact.is_default = is_default
    contact.updated_at = utc_now()
    db.session.commit()
    return contact


def dao_archive_letter_contact(contact: ServiceLetterContact) -> ServiceLetterContact:
    """Archive a contact block: it stops being the default, and templates using it fall back to none. Commits."""
    now = utc_now()
    db.session.execute(
        update(Template)
        .where(Template.service_letter_contact_id == contact.id)
        .values(service_letter_contact_id=None, updated_at=now)
    )
    contact.archived = True
    contact.is_default = False
    contact.updated_at = now
    db.session.commit()
    return contact


def _clear_default(service_id: uuid.UUID) -> None:
    db.session.execute(
        update(ServiceLetterContact)
        .where(ServiceLetterContact.service_id == service_id, ServiceLetterContact.is_default.is_(True))
        .values(is_default=False, updated_at=utc_now())
    )
