"""Notifications on their way to a provider: claims, hand-backs, recorded sends, and the safety nets' requeueing.

Every status write here is guarded by `notification_status_dao.may_become`, the one guard built from the status
machine's allowed previous statuses; the claim protocol (`app/delivery/claims.py`) is their only caller. A
notification whose last send may have been taken waits in `created` until `receipt_wait_until`: no claim takes it
before then, and a receipt that comes for it (matched by the reference that send recorded) moves it on.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    ScalarSelect,
    String,
    Uuid,
    any_,
    bindparam,
    case,
    column,
    func,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.clock import utc_now
from app.dao.notification_status_dao import may_become
from app.dao.row_picking import picked_once
from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import Notification, TemplateHistory
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd


@dataclass(frozen=True)
class NotificationToQueue:
    """Enough to put a notification's deliver task back on its lane's queue (app/delivery/lanes.py decides the
    lane from the job and the process type of the template version it was made with)."""

    id: uuid.UUID
    notification_type: str
    key_type: str
    job_id: uuid.UUID | None
    process_type: str


@dataclass(frozen=True)
class QueueKey:
    """What picks a notification's deliver queue: its type, key type, whether a job made it, its template's process
    type."""

    notification_type: str
    key_type: str
    is_from_job: bool
    process_type: str


def _process_type() -> ScalarSelect[str]:
    """The process type of the template version the notification was made with (its primary key: one row)."""
    return (
        select(TemplateHistory.process_type)
        .where(TemplateHistory.id == Notification.template_id, TemplateHistory.version == Notification.template_version)
        .scalar_subquery()
    )


def _to_queue_columns() -> tuple[Any, ...]:
    return (
        Notification.id,
        Notification.notification_type,
        Notification.key_type,
        Notification.job_id,
        _process_type(),
    )


def _unrecorded_claim() -> ColumnElement[bool]:
    """A claimed notification whose worker has not recorded a provider's answer (yet, or ever)."""
    return (Notification.status == NotificationStatus.SENDING) & Notification.sent_at.is_(None)


def _stale_claim(*, claimed_before: datetime, now: datetime) -> ColumnElement[bool]:
    """An unrecorded claim made before ``claimed_before`` and not deferred: a claim whose notification was given a
    `next_attempt_at` still to come (e.g. to wait for a receipt that may still arrive) is not to be sent again yet."""
    not_deferred = Notification.next_attempt_at.is_(None) | (Notification.next_attempt_at <= now)
    return _unrecorded_claim() & (Notification.sending_claimed_at < claimed_before) & not_deferred


@statsd(namespace="dao")
def dao_claim_notification_for_sending(
    notification_id: uuid.UUID | str, *, claimed_at: datetime, **values: Any
) -> bool:
    """Claim a `created` notification for one send (`created -> sending`), stamping ``claimed_at`` and ``values``.

    Refused (False) unless it is `created` and its wait for a receipt, if any, is over at ``claimed_at``: a receipt
    that came for a send that may have been taken has moved it out of `created`, and within the wait it may still
    come. Both conditions are in the UPDATE, so a claim and a receipt racing for the row cannot both win. Commits.
    """
    statement = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            _claimable(claimed_at=claimed_at),
        )
        .values(
            status=NotificationStatus.SENDING,
            sending_claimed_at=claimed_at,
            receipt_wait_until=None,
            updated_at=claimed_at,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    claimed = rows_changed(db.session.execute(statement)) == 1
    db.session.commit()
    return claimed


def _claimable(*, claimed_at: datetime) -> ColumnElement[bool]:
    """A `created` notification whose wait for a receipt, if any, is over at ``claimed_at``."""
    return may_become(NotificationStatus.SENDING, only_from=[NotificationStatus.CREATED]) & or_(
        Notification.receipt_wait_until.is_(None), Notification.receipt_wait_until <= claimed_at
    )


@dataclass(frozen=True)
class ClaimRequest:
    """One notification of a batch to claim, with what its claim stamps: its provider and billable units."""

    notification_id: uuid.UUID
    sent_by: str
    billable_units: int


@statsd(namespace="dao")
def dao_get_notifications_for_sending(notification_ids: Sequence[uuid.UUID]) -> list[Notification]:
    """The notifications of ``notification_ids`` that exist, in one query (an id not committed yet is missing)."""
    if not notification_ids:
        return []
    return list(db.session.execute(select(Notification).where(Notification.id.in_(notification_ids))).scalars())


@statsd(namespace="dao")
def dao_claim_notifications_for_sending(
    requests: Sequence[ClaimRequest], *, claimed_at: datetime, stale_claims_before: datetime
) -> set[uuid.UUID]:
    """Claim many notifications in one statement, each as dao_claim_notification_for_sending would claim it, else
    as dao_reclaim_stale_sending_notification would take over its stale claim; stamps ``claimed_at`` and each
    request's `sent_by` and `billable_units`. Returns the ids claimed. Commits.

    The two guards exclude each other (`created` / `sending`), so one OR of them claims each row as the two single
    statements tried one after the other would. A taken-over claim keeps its status and `receipt_wait_until`.
    """
    if not requests:
        return set()
    rows = _unnested(
        "claim_requests",
        notification_id=Uuid,
        sent_by=String,
        billable_units=Integer,
    )
    is_created = Notification.status == NotificationStatus.CREATED
    statement = (
        update(Notification)
        .where(
            _one_of_the_ids(),
            Notification.id == rows.c.notification_id,
            _claimable(claimed_at=claimed_at) | _stale_claim(claimed_before=stale_claims_before, now=claimed_at),
        )
        .values(
            status=NotificationStatus.SENDING,
            sending_claimed_at=claimed_at,
            receipt_wait_until=case((is_created, None), else_=Notification.receipt_wait_until),
            updated_at=claimed_at,
            sent_by=rows.c.sent_by,
            billable_units=rows.c.billable_units,
        )
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    parameters = {
        "notification_id": [request.notification_id for request in requests],
        "sent_by": [request.sent_by for request in requests],
        "billable_units": [request.billable_units for request in requests],
    }
    claimed = set(db.session.execute(statement, parameters).scalars())
    db.session.commit()
    return claimed


def _one_of_the_ids() -> ColumnElement[bool]:
    """`id = ANY(:notification_id)`: the rows of an _unnested statement found through the primary key, whatever the
    planner makes of the other conditions (a guard on the status alone could scan every `created` notification)."""
    return Notification.id == any_(bindparam("notification_id", type_=ARRAY(Uuid)))


def _unnested(name: str, **columns: Any) -> Any:
    """`unnest(:a, :b, ...) AS name(a, b, ...)`: one row per element of the equally long array parameters named as
    ``columns`` (each with its element type). The statement's text does not depend on how many rows there are, so it
    is compiled once per process and planned as a join on each row's id."""
    arrays = [bindparam(column_name, type_=ARRAY(column_type)) for column_name, column_type in columns.items()]
    return (
        func.unnest(*arrays)
        .table_valued(*(column(column_name, column_type) for column_name, column_type in columns.items()))
        .render_derived(name=name)
    )


@statsd(namespace="dao")
def dao_reclaim_stale_sending_notification(
    notification_id: uuid.UUID | str, *, claimed_at: datetime, stale_claims_before: datetime, **values: Any
) -> Notification | None:
    """Claim again a `sending` notification claimed before ``stale_claims_before`` with no provider answer recorded.

    Its worker died between claiming and recording (or never reached the provider). Status stays `sending`.
    Returns the row, or None when the claim is fresh, answered, or the notification moved on. Commits.
    """
    statement = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            _stale_claim(claimed_before=stale_claims_before, now=claimed_at),
        )
        .values(sending_claimed_at=claimed_at, updated_at=utc_now(), **values)
        .returning(Notification)
        .execution_options(synchronize_session=False)
    )
    reclaimed = db.session.execute(statement).scalar_one_or_none()
    db.session.commit()
    return reclaimed


@statsd(namespace="dao")
def dao_release_sending_claim(notification_id: uuid.UUID | str, *, claimed_at: datetime) -> bool:
    """Hand a claim back (`sending -> created`) so a retry may claim it; only the claim made at ``claimed_at``.

    Changes nothing once a provider's answer is recorded or another worker re-claimed it. Commits.
    """
    return _release_sending_claim(notification_id, claimed_at=claimed_at)


@statsd(namespace="dao")
def dao_release_sending_claim_to_await_receipt(
    notification_id: uuid.UUID | str, *, claimed_at: datetime, reference: str | None, receipt_wait_until: datetime
) -> bool:
    """Hand back a claim whose send may have been taken: `sending -> created`, keeping ``reference`` (what the
    provider's receipts will carry, None when only its answer would have told) and not claimable before
    ``receipt_wait_until``. As dao_release_sending_claim otherwise: False when a receipt already moved it on. Commits.
    """
    return _release_sending_claim(
        notification_id, claimed_at=claimed_at, reference=reference, receipt_wait_until=receipt_wait_until
    )


def _release_sending_claim(notification_id: uuid.UUID | str, *, claimed_at: datetime, **values: Any) -> bool:
    statement = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            may_become(NotificationStatus.CREATED),
            Notification.sent_at.is_(None),
            Notification.sending_claimed_at == claimed_at,
        )
        .values(status=NotificationStatus.CREATED, sending_claimed_at=None, updated_at=utc_now(), **values)
        .execution_options(synchronize_session=False)
    )
    released = rows_changed(db.session.execute(statement)) == 1
    db.session.commit()
    return released


@statsd(namespace="dao")
def dao_record_notification_sent(
    notification_id: uuid.UUID | str, *, sent_at: datetime, reference: str | None
) -> str | None:
    """Record that a provider accepted the notification; the first answer recorded wins. Status unchanged. Commits.

    Returns the notification's status as the write left it (usually `sending`; a fast receipt may already have made
    it final), or None when an answer was already recorded. `updated_at` is left alone: a receipt may already have
    made the notification final, and its callback reports `updated_at` as the completion time.
    """
    statement = (
        update(Notification)
        .where(Notification.id == notification_id, Notification.sent_at.is_(None))
        .values(sent_at=sent_at, reference=reference)
        .returning(Notification.status)
        .execution_options(synchronize_session=False)
    )
    status = db.session.execute(statement).scalar_one_or_none()
    db.session.commit()
    return status


@statsd(namespace="dao")
def dao_record_notifications_sent(
    references: Mapping[uuid.UUID, str | None], *, sent_at: datetime
) -> dict[uuid.UUID, str]:
    """Record many providers' acceptances in one statement, each as dao_record_notification_sent does (the first
    answer recorded wins; `updated_at` left alone). ``references`` maps each notification to its provider's
    reference. Returns the status each recorded row was left in; a notification whose answer was already recorded
    is missing. Commits."""
    if not references:
        return {}
    rows = _unnested("answers", notification_id=Uuid, reference=String)
    statement = (
        update(Notification)
        .where(_one_of_the_ids(), Notification.id == rows.c.notification_id, Notification.sent_at.is_(None))
        .values(sent_at=sent_at, reference=rows.c.reference)
        .returning(Notification.id, Notification.status)
        .execution_options(synchronize_session=False)
    )
    parameters = {"notification_id": list(references), "reference": list(references.values())}
    recorded = {notification_id: status for notification_id, status in db.session.execute(statement, parameters)}
    db.session.commit()
    return recorded


@statsd(namespace="dao")
def dao_update_notifications_next_attempt_at(next_attempts: Mapping[uuid.UUID, datetime]) -> None:
    """dao_update_notification_next_attempt_at for many notifications, in one statement. Commits."""
    if not next_attempts:
        return
    rows = _unnested("due", notification_id=Uuid, next_attempt_at=DateTime(timezone=True))
    db.session.execute(
        update(Notification)
        .where(
            _one_of_the_ids(),
            Notification.id == rows.c.notification_id,
            Notification.status == NotificationStatus.CREATED,
        )
        .values(next_attempt_at=rows.c.next_attempt_at)
        .execution_options(synchronize_session=False),
        {"notification_id": list(next_attempts), "next_attempt_at": list(next_attempts.values())},
    )
    db.session.commit()


@statsd(namespace="dao")
def dao_update_notification_next_attempt_at(notification_id: uuid.UUID | str, *, next_attempt_at: datetime) -> None:
    """Record that a `created` notification is not to be handed to a provider before ``next_attempt_at`` (its task
    will retry it then), so the safety net that queues overdue notifications leaves it alone until then. Changes
    nothing unless the notification is `created`. Commits."""
    db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == NotificationStatus.CREATED)
        .values(next_attempt_at=next_attempt_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _due_at() -> ColumnElement[datetime]:
    """When a `created` notification is due to be handed over: its retry time, else its creation (indexed)."""
    return func.coalesce(Notification.next_attempt_at, Notification.created_at)


@statsd(namespace="dao")
def dao_requeue_overdue_created_notifications(
    *, due_before: datetime, queue_keys: Sequence[QueueKey], limit: int
) -> list[NotificationToQueue]:
    """Pick up to ``limit`` `created` notifications due before ``due_before`` whose QueueKey is one of
    ``queue_keys``, oldest first, and make them due now: the next safety-net run leaves them to the task about to be
    queued.

    Commits; returns what to queue.
    """
    if not queue_keys:
        return []
    now = utc_now()
    overdue = (
        select(Notification.id)
        .where(
            Notification.status == NotificationStatus.CREATED,
            _due_at() < due_before,
            tuple_(
                Notification.notification_type,
                Notification.key_type,
                Notification.job_id.is_not(None),
                _process_type(),
            ).in_([(k.notification_type, k.key_type, k.is_from_job, k.process_type) for k in queue_keys]),
        )
        .order_by(_due_at())
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Notification)
        .where(Notification.id.in_(picked_once(overdue)), Notification.status == NotificationStatus.CREATED)
        .values(next_attempt_at=now)
        .returning(*_to_queue_columns())
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(statement).all()
    db.session.commit()
    return [NotificationToQueue(*row) for row in rows]


@statsd(namespace="dao")
def dao_release_stale_sending_claims(*, claimed_before: datetime, limit: int) -> list[NotificationToQueue]:
    """Hand back up to ``limit`` claims older than ``claimed_before`` with no provider answer (`sending -> created`).

    Their workers died before recording an answer. They are due now (queued at once). Commits; returns what to
    queue again.
    """
    now = utc_now()
    stale = (
        select(Notification.id)
        .where(_stale_claim(claimed_before=claimed_before, now=now))
        .order_by(Notification.sending_claimed_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Notification)
        .where(
            Notification.id.in_(picked_once(stale)),
            may_become(NotificationStatus.CREATED),
            Notification.sent_at.is_(None),
        )
        .values(status=NotificationStatus.CREATED, sending_claimed_at=None, updated_at=now, next_attempt_at=now)
        .returning(*_to_queue_columns())
        .execution_options(synchronize_session=False)
    )
    rows = db.session.execute(statement).all()
    db.session.commit()
    return [NotificationToQueue(*row) for row in rows]
