"""The letters a print run hands over: live, `created`, PDF made, created before the deadline, not waiting for a
retry; read page by page in (created_at, id) order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, tuple_

from app.extensions import db
from app.models import KeyType, Notification, NotificationType
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd


@dataclass(frozen=True)
class LetterToPrint:
    id: uuid.UUID
    created_at: datetime


@statsd(namespace="dao")
def dao_list_letters_to_print(
    *, created_before: datetime, now: datetime, after: LetterToPrint | None, limit: int
) -> Sequence[LetterToPrint]:
    """Up to ``limit`` letters ready to print (letters.md §5.4) created before ``created_before``, after ``after`` in
    (created_at, id) order. A letter whose retry is due later than ``now`` is left to that retry."""
    statement = (
        select(Notification.id, Notification.created_at)
        .where(
            Notification.notification_type == NotificationType.LETTER,
            Notification.status == NotificationStatus.CREATED,
            Notification.key_type == KeyType.NORMAL,
            Notification.billable_units > 0,
            Notification.created_at < created_before,
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        )
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(
            tuple_(Notification.created_at, Notification.id) > tuple_(after.created_at, after.id)
        )
    return [LetterToPrint(*row) for row in db.session.execute(statement).all()]
