"""The guarded status UPDATEs: the only SQL that moves a notification from one status to another.

Every writer here, and every claim in `notification_sending_dao.py`, guards its UPDATE with `may_become` (or
`may_become_by_receipt`), which builds `WHERE status IN (...)` from the status machine's table, so of two racing
writers at most one wins and nothing ever leaves a final status. Domain code reaches these writers only through
`app/status_changes.py` (and the claim protocol, `app/delivery/claims.py`); tests/test_status_writers.py fails if
any other module calls them.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    Table,
    Update,
    Uuid,
    bindparam,
    case,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.clock import utc_now
from app.dao.row_picking import picked_once
from app.extensions import db
from app.models import AWAITING_FEED_SQL, Job, Notification, NotificationType
from app.notification_status import (
    RECEIPT_UPDATABLE_STATUSES,
    NotificationStatus,
    allowed_previous_statuses,
    is_receipt_transition_allowed,
)
from app.statsd_decorators import statsd


def may_become(
    target: NotificationStatus, only_from: Iterable[str] | None = None, *, column: ColumnElement[str] | None = None
) -> ColumnElement[bool]:
    """`status IN (...)`: the statuses the status machine allows ``target`` from, narrowed to ``only_from``; of
    ``column`` when given (the table's, for a Core statement), else of the mapped `Notification.status`."""
    return _status_in(allowed_previous_statuses(target), only_from, column=column)


def may_become_by_receipt(
    target: NotificationStatus, only_from: Iterable[str] | None = None, *, column: ColumnElement[str] | None = None
) -> ColumnElement[bool]:
    """As may_become, for a provider receipt: it may also move a `created` notification whose last send may have
    been taken (see `notification_status.RECEIPT_UPDATABLE_STATUSES`)."""
    allowed = {status for status in RECEIPT_UPDATABLE_STATUSES if is_receipt_transition_allowed(status, target)}
    return _status_in(allowed, only_from, column=column)


def _status_in(
    allowed: Collection[str], only_from: Iterable[str] | None, *, column: ColumnElement[str] | None = None
) -> ColumnElement[bool]:
    statuses = set(allowed) if only_from is None else set(allowed) & set(only_from)
    status = Notification.status if column is None else column
    return status.in_(sorted(statuses))


@statsd(namespace="dao")
def dao_update_notification_status_by_id(
    notification_id: uuid.UUID | str,
    status: NotificationStatus,
    *,
    only_from: Iterable[str] | None = None,
    **values: Any,
) -> Notification | None:
    """Move a notification to ``status`` if the status machine allows it from its current status.

    ``only_from`` narrows the allowed previous statuses further. Returns the updated row, or None when nothing
    changed. Commits; the row returned is detached with the values the UPDATE returned, so reading it costs no query.
    """
    statement = (
        update(Notification)
        .where(Notification.id == notification_id, may_become(status, only_from))
        .values(status=status, updated_at=utc_now(), **values)
        .returning(Notification)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return _committed_snapshot(db.session.execute(statement).scalar_one_or_none())


@dataclass(frozen=True)
class ChangedStatus:
    """What a receipt's change needs after the UPDATE (its log line, metrics and callback), and no more."""

    id: uuid.UUID
    service_id: uuid.UUID
    notification_type: str
    status: str
    sent_at: datetime | None


_NOTIFICATIONS = cast(Table, Notification.__table__)


@functools.cache
def _receipt_update(status: NotificationStatus, current: str) -> Update:
    """The compare-and-set of a receipt, built once per (status, current) as a Core statement on the table: building
    an ORM UPDATE per receipt, running it through the ORM and loading the whole row it returned was about half the
    receipt request's CPU."""
    columns = _NOTIFICATIONS.c
    return (
        update(_NOTIFICATIONS)
        .where(
            columns.id == bindparam("notification_id"),
            may_become(status, only_from=[current], column=columns.notification_status),
        )
        .values(notification_status=status, updated_at=bindparam("updated_at"))
        .returning(
            columns.id, columns.service_id, columns.notification_type, columns.notification_status, columns.sent_at
        )
    )


@statsd(namespace="dao")
def dao_update_notification_status_by_receipt(
    notification_id: uuid.UUID, status: NotificationStatus, *, current: str
) -> ChangedStatus | None:
    """Move a notification from ``current`` to ``status`` if the status machine allows it (compare-and-set), as
    dao_update_notification_status_by_id with ``only_from=[current]`` does, returning only what the change's log,
    metrics and callback read. Returns None when nothing changed. Commits."""
    row = db.session.execute(
        _receipt_update(status, current), {"notification_id": notification_id, "updated_at": utc_now()}
    ).one_or_none()
    db.session.commit()
    return None if row is None else ChangedStatus(*row)


@statsd(namespace="dao")
def dao_update_awaiting_notification_status_from_receipt(
    notification_id: uuid.UUID | str, status: NotificationStatus, *, provider: str, received_at: datetime
) -> Notification | None:
    """Apply a receipt to a `created` notification whose last send may have been taken (it recorded a reference):
    the provider had it after all. Records ``provider`` as the sender and ``received_at`` as `sent_at` (the first
    time Herald knew the provider had it). Returns the row, or None when it is no longer such a notification. Commits.
    """
    statement = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            may_become_by_receipt(status, only_from=[NotificationStatus.CREATED]),
            Notification.reference.is_not(None),
        )
        .values(status=status, sent_by=provider, sent_at=received_at, receipt_wait_until=None, updated_at=received_at)
        .returning(Notification)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return _committed_snapshot(db.session.execute(statement).scalar_one_or_none())


@dataclass(frozen=True)
class ReceiptMove:
    """One status a receipt asks for, should its notification be in ``current``: the notification named by ``key``
    (its id, or the reference a provider knows it by) moves to ``status``. ``position`` says which receipt asked."""

    position: int
    key: uuid.UUID | str
    current: NotificationStatus
    status: NotificationStatus


@dataclass(frozen=True)
class AppliedReceiptMove:
    position: int
    previous: str
    notification: Notification


ReceiptKey = Literal["id", "reference"]


@statsd(namespace="dao")
def dao_apply_receipt_moves(
    moves: Sequence[ReceiptMove], *, match_on: ReceiptKey, provider: str, received_at: datetime
) -> list[AppliedReceiptMove]:
    """Apply many receipts in one UPDATE: each notification in the ``current`` of one of its moves goes to that
    move's ``status`` (compare-and-set, as dao_update_notification_status_by_id with ``only_from=[current]``).

    Give at most one receipt per notification (its moves for the statuses it may find): the statement writes a row
    once. The guard is the status machine's, as for one receipt: a move from `created` also needs the reference its
    receipts carry, and records ``provider`` as the sender and ``received_at`` as `sent_at`, as
    dao_update_awaiting_notification_status_from_receipt does. The moves travel as four arrays (unnest), so the
    statement's text, and its plan, are the same whatever the batch's size. Commits; returns the moves made, with
    the rows detached as the UPDATE returned them.
    """
    if not moves:
        return []
    key_type = Uuid() if match_on == "id" else String()
    given = (
        func.unnest(
            literal([move.key for move in moves], ARRAY(key_type)),
            literal([str(move.current) for move in moves], ARRAY(String())),
            literal([str(move.status) for move in moves], ARRAY(String())),
            literal([move.position for move in moves], ARRAY(Integer())),
        )
        .table_valued(
            column("key", key_type), column("current", String()), column("status", String()), column("position")
        )
        .render_derived(name="moves", with_types=False)
    )
    key_column = Notification.id if match_on == "id" else Notification.reference
    from_created = given.c.current == NotificationStatus.CREATED
    targets = sorted({move.status for move in moves})
    statement = (
        update(Notification)
        .where(
            key_column == given.c.key,
            Notification.status == given.c.current,
            # The guard is written on the status each move expects (the row's own, by the condition above), so the
            # only index the statement can use on notifications is the one on ``key``: one lookup per receipt,
            # however many notifications are `sending` (on the row's status, PostgreSQL chose the status index).
            or_(
                *(
                    (given.c.status == target) & may_become_by_receipt(target, column=given.c.current)
                    for target in targets
                )
            ),
            ~from_created | Notification.reference.is_not(None),
        )
        .values(
            status=given.c.status,
            updated_at=received_at,
            sent_by=case((from_created, provider), else_=Notification.sent_by),
            sent_at=case((from_created, received_at), else_=Notification.sent_at),
            receipt_wait_until=case((from_created, None), else_=Notification.receipt_wait_until),
        )
        .returning(Notification, given.c.position, given.c.current)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = db.session.execute(statement).all()
    applied = sorted(
        (AppliedReceiptMove(position, previous, notification) for notification, position, previous in rows),
        key=lambda move: move.position,
    )
    for move in applied:
        db.session.expunge(move.notification)
    db.session.commit()
    return applied


def _committed_snapshot(updated: Notification | None) -> Notification | None:
    """Commit, keeping ``updated`` as the UPDATE returned it: detached first, so the commit does not expire it and the
    caller's first read does not load the row again."""
    if updated is not None:
        db.session.expunge(updated)
    db.session.commit()
    return updated


@statsd(namespace="dao")
def dao_timeout_sending_notifications(*, created_before: datetime, limit: int) -> Sequence[Notification]:
    """Move up to ``limit`` `sending`/`pending` notifications created before ``created_before`` to
    `temporary-failure` (no receipt came). Commits; returns the rows changed."""
    return _update_stale_statuses(
        NotificationStatus.TEMPORARY_FAILURE,
        only_from=(NotificationStatus.SENDING, NotificationStatus.PENDING),
        created_before=created_before,
        limit=limit,
    )


@statsd(namespace="dao")
def dao_fail_unsent_notifications(*, created_before: datetime, limit: int) -> Sequence[Notification]:
    """Move up to ``limit`` notifications still `created` from before ``created_before`` to `technical-failure`:
    every attempt to hand them over failed (or crashed its worker). A job's row counts from its job's last hand-over
    to the bulk lane, not its creation, and one still waiting for the feeder is left alone: waiting its turn behind
    other jobs is not a failure. Commits; returns the rows changed."""
    return _update_stale_statuses(
        NotificationStatus.TECHNICAL_FAILURE,
        only_from=(NotificationStatus.CREATED,),
        created_before=created_before,
        limit=limit,
        also=_handed_over_before(created_before),
    )


def _handed_over_before(handed_over_before: datetime) -> ColumnElement[bool]:
    """Not waiting for the bulk-lane feeder, and not of a job whose rows it handed over since ``handed_over_before``."""
    job_fed_since = exists().where(Job.id == Notification.job_id, Job.rows_fed_at >= handed_over_before)
    return Notification.next_attempt_at.is_distinct_from(literal_column(AWAITING_FEED_SQL)) & ~job_fed_since


def _update_stale_statuses(
    status: NotificationStatus,
    *,
    only_from: Sequence[NotificationStatus],
    created_before: datetime,
    limit: int,
    also: ColumnElement[bool] | None = None,
) -> Sequence[Notification]:
    """Move up to ``limit`` of the oldest notifications in ``only_from`` created before ``created_before`` to
    ``status`` in one statement (those matching ``also`` too, when given); rows another transaction holds are
    skipped. Commits; returns the rows changed."""
    stale = (
        select(Notification.id)
        .where(
            Notification.status.in_(only_from),
            Notification.created_at < created_before,
            # Letters wait days for the print run and are never timed out (letters.md §5.2).
            Notification.notification_type != NotificationType.LETTER,
            *_given(also),
        )
        .order_by(Notification.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Notification)
        .where(Notification.id.in_(picked_once(stale)), may_become(status, only_from))
        .values(status=status, updated_at=utc_now())
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(statement).scalars().all()
    db.session.commit()
    return rows


def _given(condition: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    return [] if condition is None else [condition]


@statsd(namespace="dao")
def dao_cancel_letters_of_job(job_id: uuid.UUID | str) -> Sequence[Notification]:
    """Cancel every letter of the job that may still be cancelled, with no sheets to bill. Commits; returns the rows
    changed (a letter the print run claimed meanwhile is left alone by the guard)."""
    statement = (
        update(Notification)
        .where(
            Notification.job_id == job_id,
            Notification.notification_type == NotificationType.LETTER,
            may_become(NotificationStatus.CANCELLED),
        )
        .values(status=NotificationStatus.CANCELLED, billable_units=0, updated_at=utc_now())
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(statement).scalars().all()
    db.session.commit()
    return rows
