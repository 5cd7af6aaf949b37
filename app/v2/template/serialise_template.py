"""A template (or one version of it) as the v2 API shows it (client-contract §5)."""

from __future__ import annotations

from typing import Any

from app.models import Template, TemplateHistory, TemplateType
from app.templating.placeholders import placeholder_names
from app.v2.datetime_format import format_datetime

# Templates made before anyone recorded who made them still need a `created_by` string (the clients require one).
UNKNOWN_CREATOR = "unknown"


def template_texts(template: Template | TemplateHistory) -> tuple[str, ...]:
    """The texts that may hold placeholders: the subject (emails only), then the body."""
    if template.template_type == TemplateType.EMAIL:
        return (template.subject or "", template.content)
    return (template.content,)


def template_placeholder_names(template: Template | TemplateHistory) -> list[str]:
    """Placeholders of the subject (emails) and the body, each once, in order of first appearance."""
    return placeholder_names(*template_texts(template))


def serialise_template(template: Template | TemplateHistory) -> dict[str, Any]:
    return {
        "id": str(template.id),
        "type": template.template_type,
        "created_at": format_datetime(template.created_at),
        "updated_at": format_datetime(template.updated_at),
        "created_by": template.created_by or UNKNOWN_CREATOR,
        "version": template.version,
        "body": template.content,
        "subject": template.subject if template.template_type == TemplateType.EMAIL else None,
        "name": template.name,
        "personalisation": {name: {"required": True} for name in template_placeholder_names(template)},
        "postage": None,
        "letter_contact_block": None,
    }
