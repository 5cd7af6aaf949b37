"""Templates: every create or update writes a new version into templates_history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.clock import utc_now
from app.dao.history import dao_create_history_row
from app.extensions import db
from app.models import Template, TemplateHistory, TemplateProcessType

TEMPLATE_SETTINGS = (
    "name",
    "content",
    "subject",
    "archived",
    "hidden",
    "process_type",
    "postage",
    "service_letter_contact_id",
)


def dao_create_template(
    service_id: uuid.UUID,
    *,
    name: str,
    template_type: str,
    content: str,
    subject: str | None = None,
    created_by: str | None = None,
    template_id: uuid.UUID | None = None,
    process_type: str = TemplateProcessType.NORMAL,
    postage: str | None = None,
    service_letter_contact_id: uuid.UUID | None = None,
) -> Template:
    template = Template(
        id=template_id or uuid.uuid4(),
        service_id=service_id,
        name=name,
        template_type=template_type,
        content=content,
        subject=subject,
        created_by=created_by,
        created_at=utc_now(),
        version=1,
        archived=False,
        hidden=False,
        process_type=process_type,
        postage=postage,
        service_letter_contact_id=service_letter_contact_id,
    )
    db.session.add(template)
    db.session.flush()
    dao_create_history_row(template, TemplateHistory)
    db.session.commit()
    return template


def dao_update_template(template: Template, *, updated_by: str | None = None, **changes: Any) -> Template:
    """Apply ``changes`` as a new version (nothing is written when nothing changes)."""
    changed = {
        key: value for key, value in changes.items() if key in TEMPLATE_SETTINGS and getattr(template, key) != value
    }
    if not changed:
        return template
    for key, value in changed.items():
        setattr(template, key, value)
    template.version += 1
    template.updated_at = utc_now()
    if updated_by:
        template.created_by = updated_by
    db.session.flush()
    dao_create_history_row(template, TemplateHistory)
    db.session.commit()
    return template


def dao_get_template_by_id(service_id: uuid.UUID, template_id: uuid.UUID | str) -> Template:
    return db.session.execute(
        select(Template).where(Template.service_id == service_id, Template.id == template_id)
    ).scalar_one()


def dao_get_template_version(service_id: uuid.UUID, template_id: uuid.UUID | str, version: int) -> TemplateHistory:
    return db.session.execute(
        select(TemplateHistory).where(
            TemplateHistory.service_id == service_id,
            TemplateHistory.id == template_id,
            TemplateHistory.version == version,
        )
    ).scalar_one()


def dao_get_template_history_by_id_and_version(template_id: uuid.UUID | str, version: int) -> TemplateHistory:
    return db.session.execute(
        select(TemplateHistory).where(TemplateHistory.id == template_id, TemplateHistory.version == version)
    ).scalar_one()


def dao_list_template_versions(service_id: uuid.UUID, template_id: uuid.UUID | str) -> Sequence[TemplateHistory]:
    return (
        db.session.execute(
            select(TemplateHistory)
            .where(TemplateHistory.service_id == service_id, TemplateHistory.id == template_id)
            .order_by(TemplateHistory.version.desc())
        )
        .scalars()
        .all()
    )


def dao_list_templates(service_id: uuid.UUID, template_type: str | None = None) -> Sequence[Template]:
    """The service's templates, without archived ones and hidden ones (the precompiled-letter template)."""
    query = select(Template).where(
        Template.service_id == service_id, Template.archived.is_(False), Template.hidden.is_(False)
    )
    if template_type:
        query = query.where(Template.template_type == template_type)
    return db.session.execute(query.order_by(Template.name, Template.created_at)).scalars().all()
