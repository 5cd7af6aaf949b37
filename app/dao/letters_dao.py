"""Letter-only reads and writes: the sheets a letter's PDF takes, and the letters ready for the print run."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import KeyType, Notification, NotificationType
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd


@statsd(namespace="dao")
def dao_update_letter_billable_units(notification_id: uuid.UUID | str, billable_units: int) -> bool:
    """Record the sheets of a letter whose PDF was just stored (only while it is still `created`). Commits;
    returns whether a row changed."""
    statement = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.notification_type == NotificationType.LETTER,
            Notification.status == NotificationStatus.CREATED,
        )
        .values(billable_units=billable_units)
    )
    changed = rows_changed(db.session.execute(statement)) > 0
    db.session.commit()
    return changed


@statsd(namespace="dao")
def dao_list_letters_ready_to_print(*, created_before: datetime, limit: int) -> Sequence[Notification]:
    """Letters ready for the print provider: `created` by a live key before ``created_before`` (the print deadline),
    with their PDF stored (billable_units > 0), oldest first (letters.md §5.4)."""
    statement = (
        select(Notification)
        .where(
            Notification.notification_type == NotificationType.LETTER,
            Notification.status == NotificationStatus.CREATED,
            Notification.key_type == KeyType.NORMAL,
            Notification.billable_units > 0,
            Notification.created_at < created_before,
        )
        .order_by(Notification.created_at)
        .limit(limit)
    )
    return db.session.execute(statement).scalars().all()
