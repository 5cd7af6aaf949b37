"""A template (or one version of it) as the v2 API shows it (client-contract §5)."""

from __future__ import annotations

from typing import Any

from app.dao.letter_contacts_dao import dao_find_letter_contact_by_id
from app.models import Template, TemplateHistory, TemplateType
from app.templating.placeholders import placeholder_names
from app.v2.datetime_format import format_datetime

# Templates made before anyone recorded who made them still need a `created_by` string (the clients require one).
UNKNOWN_CREATOR = "unknown"


def letter_contact_block_of(template: Template | TemplateHistory) -> str | None:
    """The current text of the contact block a letter template (or version) points at; None without one."""
    if template.template_type != TemplateType.LETTER or template.service_letter_contact_id is None:
        return None
    contact = dao_find_letter_contact_by_id(template.service_id, template.service_letter_contact_id)
    return contact.contact_block if contact is not None else None


def template_texts(template: Template | TemplateHistory, letter_contact_block: str | None = None) -> tuple[str, ...]:
    """The texts that may hold placeholders: the subject (emails and letters), the body, a letter's contact block."""
    if template.template_type == TemplateType.EMAIL:
        return (template.subject or "", template.content)
    if template.template_type == TemplateType.LETTER:
        return (template.content, template.subject or "", letter_contact_block or "")
    return (template.content,)


def template_placeholder_names(
    template: Template | TemplateHistory, letter_contact_block: str | None = None
) -> list[str]:
    """Placeholders of the texts that may hold them, each once, in order of first appearance."""
    return placeholder_names(*template_texts(template, letter_contact_block))


def serialise_template(template: Template | TemplateHistory) -> dict[str, Any]:
    letter_contact_block = letter_contact_block_of(template)
    has_subject = template.template_type in (TemplateType.EMAIL, TemplateType.LETTER)
    return {
        "id": str(template.id),
        "type": template.template_type,
        "created_at": format_datetime(template.created_at),
        "updated_at": format_datetime(template.updated_at),
        "created_by": template.created_by or UNKNOWN_CREATOR,
        "version": template.version,
        "body": template.content,
        "subject": template.subject if has_subject else None,
        "name": template.name,
        "personalisation": {
            name: {"required": True} for name in template_placeholder_names(template, letter_contact_block)
        },
        "postage": template.postage if template.template_type == TemplateType.LETTER else None,
        "letter_contact_block": letter_contact_block,
    }
