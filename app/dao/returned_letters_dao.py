"""Returned letters: the letters a list of references names, and the record that each came back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from app.extensions import db
from app.models import Notification, NotificationType, ReturnedLetter
from app.notification_status import NotificationStatus, allowed_previous_statuses
from app.statsd_decorators import statsd


@statsd(namespace="dao")
def dao_list_letter_ids_by_references(references: Sequence[str]) -> Sequence[uuid.UUID]:
    """Letters with one of ``references`` that may still become `returned-letter` (sent to print or delivered)."""
    statement = select(Notification.id).where(
        Notification.notification_type == NotificationType.LETTER,
        Notification.reference.in_(list(references)),
        Notification.status.in_(sorted(allowed_previous_statuses(NotificationStatus.RETURNED_LETTER))),
    )
    return db.session.execute(statement).scalars().all()


@statsd(namespace="dao")
def dao_create_returned_letter(*, notification_id: uuid.UUID, service_id: uuid.UUID, reported_at: date) -> None:
    """Record the return (once per letter: a repeat report changes nothing). Commits."""
    db.session.execute(
        insert(ReturnedLetter)
        .values(id=uuid.uuid4(), notification_id=notification_id, service_id=service_id, reported_at=reported_at)
        .on_conflict_do_nothing(index_elements=[ReturnedLetter.notification_id])
    )
    db.session.commit()
