"""Move notifications past retention into `notification_history`, leaving their personal data behind.

Letters still waiting for their scan, their PDF or the printer stay until they are done.

History has the notification's metadata only: recipient, personalisation, reply-to and unsubscribe link are not
columns there, so moving a row is `DELETE ... RETURNING` the history columns fed straight into `INSERT`, one
statement per batch. Test-key notifications are deleted without history, with their status events; other status
events stay with the history row (they hold no personal data) until the support-search window has passed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, delete, func, not_, or_, select
from sqlalchemy.dialects.postgresql import insert

from app.dao.row_picking import picked_once
from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import KeyType, Notification, NotificationHistory, NotificationStatusEvent, NotificationType
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd

HISTORY_COLUMNS = tuple(column.name for column in NotificationHistory.__table__.columns)
# A live letter still waiting for its scan, its PDF or the printer is kept past retention (letters.md §8).
LETTER_STATUSES_KEPT_PAST_RETENTION = (
    NotificationStatus.PENDING_VIRUS_CHECK,
    NotificationStatus.CREATED,
    NotificationStatus.SENDING,
)


def _not_an_unfinished_letter(status: ColumnElement[str], notification_type: ColumnElement[str]) -> ColumnElement[bool]:
    return not_(and_(notification_type == NotificationType.LETTER, status.in_(LETTER_STATUSES_KEPT_PAST_RETENTION)))


@statsd(namespace="dao")
def dao_list_letter_files_past_retention(
    service_id: uuid.UUID, *, created_before: datetime
) -> Iterator[tuple[str | None, str | None, datetime, str]]:
    """(reference, postage, created_at, key_type) of every letter the purge is about to remove: what names its PDF.
    Streams the rows."""
    statement = select(
        Notification.reference, Notification.postage, Notification.created_at, Notification.key_type
    ).where(
        Notification.service_id == service_id,
        Notification.created_at < created_before,
        Notification.notification_type == NotificationType.LETTER,
        or_(
            Notification.key_type == KeyType.TEST,
            Notification.status.not_in(LETTER_STATUSES_KEPT_PAST_RETENTION),
        ),
    )
    for row in db.session.execute(statement.execution_options(yield_per=1000)):
        yield row.reference, row.postage, row.created_at, row.key_type


@statsd(namespace="dao")
def dao_move_notifications_to_history(service_id: uuid.UUID, *, created_before: datetime, limit: int) -> int:
    """Move up to ``limit`` of the service's notifications (test keys aside) created before ``created_before`` into
    history in one statement; commits. Returns how many left `notifications` (fewer than ``limit``: none are left).

    A row already in history (it cannot be, but a replayed migration might) is kept as it is: ON CONFLICT DO NOTHING.
    """
    notifications = cast(Table, Notification.__table__)
    picked = (
        select(notifications.c.id)
        .where(
            notifications.c.service_id == service_id,
            notifications.c.created_at < created_before,
            notifications.c.key_type != KeyType.TEST,
            _not_an_unfinished_letter(notifications.c.notification_status, notifications.c.notification_type),
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    moved = (
        delete(notifications)
        .where(notifications.c.id.in_(picked_once(picked)))
        .returning(*(notifications.c[name] for name in HISTORY_COLUMNS))
        .cte("moved")
    )
    inserted = (
        insert(NotificationHistory)
        .from_select(HISTORY_COLUMNS, select(*(moved.c[name] for name in HISTORY_COLUMNS)))
        .on_conflict_do_nothing()
        .cte("inserted")
    )
    moved_count = db.session.execute(select(func.count()).select_from(moved).add_cte(inserted)).scalar_one()
    db.session.commit()
    return int(moved_count)


@statsd(namespace="dao")
def dao_delete_test_notifications(service_id: uuid.UUID, *, created_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` of the service's test-key notifications created before ``created_before``, with their
    status events, in one statement; commits. Returns how many notifications were deleted."""
    picked = (
        select(Notification.id)
        .where(
            Notification.service_id == service_id,
            Notification.created_at < created_before,
            Notification.key_type == KeyType.TEST,
        )
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    deleted = delete(Notification).where(Notification.id.in_(picked_once(picked))).returning(Notification.id).cte()
    events_deleted = (
        delete(NotificationStatusEvent)
        .where(NotificationStatusEvent.notification_id.in_(select(deleted.c.id)))
        .cte("events_deleted")
    )
    deleted_count = db.session.execute(select(func.count()).select_from(deleted).add_cte(events_deleted)).scalar_one()
    db.session.commit()
    return int(deleted_count)


@statsd(namespace="dao")
def dao_delete_status_events_changed_before(changed_before: datetime, *, limit: int) -> int:
    """Delete up to ``limit`` status events recorded before ``changed_before``; commits. Returns how many."""
    picked = (
        select(NotificationStatusEvent.id)
        .where(NotificationStatusEvent.changed_at < changed_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED")  # picked once, as row_picking.picked_once does for uuid ids
    )
    deleted = db.session.execute(
        delete(NotificationStatusEvent)
        .where(NotificationStatusEvent.id.in_(select(picked.c.id)))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_changed(deleted)
