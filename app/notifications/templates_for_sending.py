"""The template a send uses, as an immutable snapshot, cached in-process for SEND_CACHE_SECONDS.

A notification records the version it was sent with and is always rendered from that version, so a snapshot a few
seconds old is safe to send with: the worst a stale entry does is send the previous version (or, for at most that
long, accept a send with a template that was just archived).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.exc import NoResultFound

from app.caches import CacheName, TtlCache, app_cache
from app.dao.letter_contacts_dao import dao_find_letter_contact_by_id
from app.dao.templates_dao import dao_get_template_by_id
from app.errors import BadRequestError
from app.models import TemplateType


@dataclass(frozen=True)
class SendableTemplate:
    id: uuid.UUID
    service_id: uuid.UUID
    version: int
    template_type: str
    content: str
    subject: str | None
    archived: bool
    process_type: str
    postage: str | None = None  # letters only
    letter_contact_block: str | None = None  # letters only: the template's contact block text, if it has one

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts that may hold placeholders: the subject (emails and letters), the body, a letter's contact
        block."""
        if self.template_type == TemplateType.EMAIL:
            return (self.subject or "", self.content)
        if self.template_type == TemplateType.LETTER:
            return (self.subject or "", self.content, self.letter_contact_block or "")
        return (self.content,)


SENDABLE_TEMPLATES = CacheName[SendableTemplate]("herald_sendable_templates")


def _cache() -> TtlCache[SendableTemplate]:
    return app_cache(SENDABLE_TEMPLATES, current_app.config["SEND_CACHE_SECONDS"])


def _load(service_id: uuid.UUID, template_id: uuid.UUID) -> SendableTemplate:
    template = dao_get_template_by_id(service_id, template_id)
    contact = (
        dao_find_letter_contact_by_id(service_id, template.service_letter_contact_id)
        if template.service_letter_contact_id
        else None
    )
    return SendableTemplate(
        id=template.id,
        service_id=template.service_id,
        version=template.version,
        template_type=template.template_type,
        content=template.content,
        subject=template.subject,
        archived=template.archived,
        process_type=template.process_type,
        postage=template.postage,
        letter_contact_block=contact.contact_block if contact is not None else None,
    )


def get_template_for_sending(service_id: uuid.UUID, template_id: uuid.UUID) -> SendableTemplate:
    """The service's template (latest version). Raises BadRequestError `Template not found`."""
    try:
        return _cache().get((service_id, template_id), lambda: _load(service_id, template_id))
    except NoResultFound as error:
        raise BadRequestError("Template not found") from error
