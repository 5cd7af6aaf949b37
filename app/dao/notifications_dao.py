"""Notifications: insert and read. Status changes are written by `notification_status_dao.py`."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Dialect, Row, bindparam, delete, insert, literal, select, tuple_
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, OperationalError

from app.extensions import db
from app.models import Notification, TemplateHistory
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd


@statsd(namespace="dao")
def dao_create_notification(notification: Notification) -> Notification:
    """Insert one notification (status `created`) and commit: one INSERT, no history write."""
    notification.status = notification.status or NotificationStatus.CREATED
    db.session.add(notification)
    db.session.commit()
    return notification


@statsd(namespace="dao")
def dao_get_notification_by_id(notification_id: uuid.UUID | str) -> Notification:
    return db.session.execute(select(Notification).where(Notification.id == notification_id)).scalar_one()


@statsd(namespace="dao")
def dao_get_notification_by_reference(reference: str) -> Notification:
    """The notification a provider knows by ``reference`` (SES's MessageId); raises NoResultFound."""
    return db.session.execute(select(Notification).where(Notification.reference == reference)).scalar_one()


@statsd(namespace="dao")
def dao_get_notification_status_by_id(notification_id: uuid.UUID | str) -> str:
    """Read the status straight from the row (never from the session's copy, which may be stale)."""
    return db.session.execute(select(Notification.status).where(Notification.id == notification_id)).scalar_one()


@statsd(namespace="dao")
def dao_get_notification_by_id_for_service(service_id: uuid.UUID, notification_id: uuid.UUID | str) -> Notification:
    return db.session.execute(
        select(Notification).where(Notification.id == notification_id, Notification.service_id == service_id)
    ).scalar_one()


@statsd(namespace="dao")
def dao_delete_notification_by_id(notification_id: uuid.UUID | str) -> None:
    db.session.execute(delete(Notification).where(Notification.id == notification_id))
    db.session.commit()


@statsd(namespace="dao")
def dao_create_notifications(notifications: Sequence[Notification]) -> None:
    """Insert many notifications in one round trip and commit (bulk sends, test data)."""
    for notification in notifications:
        notification.status = notification.status or NotificationStatus.CREATED
    db.session.add_all(notifications)
    db.session.commit()


def _page_cursor(service_id: uuid.UUID, older_than_id: uuid.UUID | str) -> tuple[datetime, uuid.UUID] | None:
    """The (created_at, id) of the service's notification ``older_than_id``; None when there is no such row."""
    created_at = db.session.execute(
        select(Notification.created_at).where(Notification.id == older_than_id, Notification.service_id == service_id)
    ).scalar_one_or_none()
    return None if created_at is None else (created_at, uuid.UUID(str(older_than_id)))


@statsd(namespace="dao")
def dao_list_notifications_with_template_for_service(
    service_id: uuid.UUID,
    *,
    key_type: str,
    limit: int,
    statuses: Collection[str] = (),
    notification_types: Collection[str] = (),
    client_reference: str | None = None,
    older_than_id: uuid.UUID | str | None = None,
    include_jobs: bool = False,
) -> Sequence[Row[Notification, TemplateHistory]]:
    """One page of a service's notifications sent with keys of ``key_type``, newest first, each with the template
    version it was sent with.

    Pages are cut with a keyset cursor on (created_at, id) over the (service_id, key_type, created_at) index:
    ``older_than_id`` excludes that notification and everything newer, and an id the service does not have gives
    an empty page. No OFFSET, no COUNT. Empty filter collections mean "any".
    """
    query = (
        select(Notification, TemplateHistory)
        .join(
            TemplateHistory,
            (TemplateHistory.id == Notification.template_id)
            & (TemplateHistory.version == Notification.template_version),
        )
        .where(Notification.service_id == service_id, Notification.key_type == key_type)
    )
    if older_than_id is not None:
        cursor = _page_cursor(service_id, older_than_id)
        if cursor is None:
            return []
        query = query.where(
            Notification.created_at <= cursor[0],
            tuple_(Notification.created_at, Notification.id) < tuple_(literal(cursor[0]), literal(cursor[1])),
        )
    if statuses:
        query = query.where(Notification.status.in_(list(statuses)))
    if notification_types:
        query = query.where(Notification.notification_type.in_(list(notification_types)))
    if client_reference is not None:
        query = query.where(Notification.client_reference == client_reference)
    if not include_jobs:
        query = query.where(Notification.job_id.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return db.session.execute(query).all()


_NOTIFICATION_COLUMNS = tuple(
    (attribute.key, attribute.columns[0].key) for attribute in sa_inspect(Notification).column_attrs
)


@statsd(namespace="dao")
def dao_create_notification_autocommit(notification: Notification) -> None:
    """Insert one new notification (every column as set on ``notification``) as a single autocommitted statement on
    a connection of its own: one round trip, no BEGIN/COMMIT, no ORM unit of work. The API's hot path uses it; the
    session is not involved, so ``notification`` stays transient (read the row back with dao_get_notification_by_id).

    A connection that dies under the INSERT (the database restarted, a proxy dropped it) leaves it unknown whether the
    row was committed, so the INSERT is tried once more on a fresh connection: the notification's own id, its primary
    key, then says whether the first attempt had committed. Either way the row is stored exactly once.
    """
    values = {column: getattr(notification, key) for key, column in _NOTIFICATION_COLUMNS}
    try:
        _insert_autocommitted(values)
    except OperationalError as error:
        if not error.connection_invalidated:
            raise
        try:
            _insert_autocommitted(values)
        except IntegrityError as duplicate:
            if _violated_constraint(duplicate) != NOTIFICATIONS_PRIMARY_KEY:
                raise


NOTIFICATIONS_PRIMARY_KEY = "notifications_pkey"


def _insert_autocommitted(values: dict[str, Any]) -> None:
    engine = db.engine
    statement = _compiled_insert(engine.dialect)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(statement.sql, statement.bound(values))


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    bind_processors: Mapping[str, Callable[[Any], Any]]

    def bound(self, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` as SQLAlchemy would bind them (its processors run here, as they would in `execute`)."""
        return {
            column: (processor(value) if (processor := self.bind_processors.get(column)) else value)
            for column, value in values.items()
        }


@functools.cache
def _compiled_insert(dialect: Dialect) -> _CompiledInsert:
    """The INSERT of every notification column, compiled once per dialect.

    `connection.execute(insert(...))` computes a cache key, looks the compiled form up and rebuilds its parameters on
    every call, which cost as much CPU as the rest of the API's INSERT; the statement never changes, so it is
    compiled here once and run as driver SQL, with the same bind casts and the same bind processors.
    """
    compiled = (
        insert(Notification)
        .values({column: bindparam(column) for _key, column in _NOTIFICATION_COLUMNS})
        .compile(dialect=dialect)
    )
    processors: dict[str, Callable[[Any], Any]] = {}
    for column, processor in compiled._bind_processors.items():
        if not callable(processor):  # per-element processors belong to tuple types, which no column here has
            raise TypeError(f"Unexpected bind processor for notifications.{column}")
        processors[column] = processor
    return _CompiledInsert(sql=compiled.string, bind_processors=processors)


def _violated_constraint(error: IntegrityError) -> str | None:
    diagnostics = getattr(error.orig, "diag", None)
    return getattr(diagnostics, "constraint_name", None)
