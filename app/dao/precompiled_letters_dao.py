"""Precompiled letters: the hidden template each service's are stored under (Notify's `Pre-compiled PDF`), and
those still waiting for their virus scan."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.clock import utc_now
from app.dao.history import dao_create_history_row
from app.extensions import db
from app.models import LetterPostage, Notification, NotificationType, Template, TemplateHistory, TemplateType
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd

PRECOMPILED_TEMPLATE_NAME = "Pre-compiled PDF"
# Each service's hidden template has an id derived from the service's, so two first letters sent at the same time
# create it once: the second INSERT meets the primary key and reads the first's row.
_PRECOMPILED_TEMPLATE_NAMESPACE = uuid.UUID("8b0d3f5e-6b1a-4c36-9c7e-2f4f1f0f6a01")


def precompiled_template_id(service_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_PRECOMPILED_TEMPLATE_NAMESPACE, str(service_id))


@statsd(namespace="dao")
def dao_get_or_create_precompiled_letter_template(service_id: uuid.UUID) -> Template:
    template_id = precompiled_template_id(service_id)
    template = db.session.get(Template, template_id)
    if template is not None:
        return template
    template = Template(
        id=template_id,
        service_id=service_id,
        name=PRECOMPILED_TEMPLATE_NAME,
        template_type=TemplateType.LETTER,
        content="",
        subject=PRECOMPILED_TEMPLATE_NAME,
        created_at=utc_now(),
        version=1,
        archived=False,
        hidden=True,
        postage=LetterPostage.SECOND,
    )
    try:
        db.session.add(template)
        db.session.flush()
        dao_create_history_row(template, TemplateHistory)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return db.session.get_one(Template, template_id)
    return template


@statsd(namespace="dao")
def dao_list_pending_virus_check_letter_ids(
    *, created_before: datetime, created_after: datetime, limit: int
) -> Sequence[uuid.UUID]:
    """Letters still `pending-virus-check` created in that window, oldest first."""
    statement = (
        select(Notification.id)
        .where(
            Notification.notification_type == NotificationType.LETTER,
            Notification.status == NotificationStatus.PENDING_VIRUS_CHECK,
            Notification.created_at < created_before,
            Notification.created_at > created_after,
        )
        .order_by(Notification.created_at)
        .limit(limit)
    )
    return db.session.execute(statement).scalars().all()
