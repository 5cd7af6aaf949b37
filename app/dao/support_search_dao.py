"""Support searches over one service's notifications, live and in history, their status events, and the audit rows.

A notification is in exactly one of `notifications` and `notification_history` (retention moves it in one
statement); the history side still skips any id the live side has, so a page never shows a notification twice.
Each side is read on its own (service_id, recipient_hash | client_reference, created_at) index or primary key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, literal, select, tuple_, union_all

from app.extensions import db
from app.models import (
    Notification,
    NotificationHistory,
    NotificationStatusEvent,
    SupportSearchAudit,
    SupportSearchKind,
)
from app.statsd_decorators import statsd

LIVE = "notifications"
HISTORY = "notification_history"


@dataclass(frozen=True)
class SupportSearch:
    """What to look for in one service: ``kind`` and its ``value`` (a recipient hash, a client reference, an id)."""

    service_id: uuid.UUID
    kind: SupportSearchKind
    value: str
    history_created_since: datetime
    older_than: tuple[datetime, uuid.UUID] | None
    limit: int


@dataclass(frozen=True)
class FoundNotification:
    id: uuid.UUID
    notification_type: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    sent_by: str | None
    updated_at: datetime | None
    template_id: uuid.UUID
    template_version: int
    client_reference: str | None
    job_id: uuid.UUID | None
    job_row_number: int | None
    stored_in: str


@dataclass(frozen=True)
class StatusEvent:
    notification_id: uuid.UUID
    status: str
    changed_at: datetime


def _matches(model: type[Notification] | type[NotificationHistory], search: SupportSearch) -> ColumnElement[bool]:
    if search.kind is SupportSearchKind.RECIPIENT:
        return model.recipient_hash == search.value
    if search.kind is SupportSearchKind.REFERENCE:
        return model.client_reference == search.value
    return model.id == uuid.UUID(search.value)


def _side(model: type[Notification] | type[NotificationHistory], search: SupportSearch) -> Any:
    stored_in = LIVE if model is Notification else HISTORY
    conditions = [model.service_id == search.service_id, _matches(model, search)]
    if model is NotificationHistory:
        conditions.append(model.created_at >= search.history_created_since)
        conditions.append(~exists().where(Notification.id == NotificationHistory.id))
    if search.older_than is not None:
        conditions.append(tuple_(model.created_at, model.id) < tuple_(*search.older_than))
    return (
        select(
            model.id,
            model.notification_type,
            model.status.label("status"),
            model.created_at,
            model.sent_at,
            model.sent_by,
            model.updated_at,
            model.template_id,
            model.template_version,
            model.client_reference,
            model.job_id,
            model.job_row_number,
            literal(stored_in).label("stored_in"),
        )
        .where(*conditions)
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(search.limit)
    )


@statsd(namespace="dao")
def dao_list_notifications_for_support_search(search: SupportSearch) -> list[FoundNotification]:
    """Up to ``search.limit`` of the service's notifications matching ``search``, newest first (ties by id), from
    both tables; history only back to ``history_created_since``; only older than ``older_than`` when given."""
    both = union_all(_side(Notification, search), _side(NotificationHistory, search)).subquery()
    rows = db.session.execute(
        select(both).order_by(both.c.created_at.desc(), both.c.id.desc()).limit(search.limit)
    ).all()
    return [FoundNotification(**row._asdict()) for row in rows]


@statsd(namespace="dao")
def dao_get_notification_position_for_service(
    service_id: uuid.UUID, notification_id: uuid.UUID
) -> tuple[datetime, uuid.UUID]:
    """The (created_at, id) of one of the service's notifications, live or in history (a paging cursor). Raises
    `NoResultFound` when the service has no such notification."""
    sides = [
        select(model.created_at, model.id).where(model.service_id == service_id, model.id == notification_id)
        for model in (Notification, NotificationHistory)
    ]
    created_at, found_id = db.session.execute(union_all(*sides).limit(1)).one()
    return created_at, found_id


@statsd(namespace="dao")
def dao_list_status_events(notification_ids: Sequence[uuid.UUID]) -> list[StatusEvent]:
    """The status events of ``notification_ids``, oldest first (in the order they were written for equal times)."""
    event = NotificationStatusEvent
    rows = db.session.execute(
        select(event.notification_id, event.status, event.changed_at)
        .where(event.notification_id.in_(notification_ids))
        .order_by(event.changed_at, event.id)
    ).all()
    return [StatusEvent(notification_id=row[0], status=row[1], changed_at=row[2]) for row in rows]


@statsd(namespace="dao")
def dao_create_support_search_audit(audit: SupportSearchAudit) -> None:
    """Store one audit row; commits."""
    db.session.add(audit)
    db.session.commit()
