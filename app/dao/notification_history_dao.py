"""Move notifications past retention into `notification_history`, leaving their personal data behind.

History has the notification's metadata only: recipient, personalisation, reply-to and unsubscribe link are not
columns there, so moving a row is `DELETE ... RETURNING` the history columns fed straight into `INSERT`, one
statement per batch. Test-key notifications are deleted without history, with their status events; other status
events stay with the history row (they hold no personal data) until the support-search window has passed.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from app.dao.row_picking import picked_once
from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import KeyType, Notification, NotificationHistory, NotificationStatusEvent
from app.statsd_decorators import statsd

HISTORY_COLUMNS = tuple(column.name for column in NotificationHistory.__table__.columns)


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
