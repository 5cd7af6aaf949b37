"""Job rows waiting for the bulk-lane feeder: which jobs have some, handing a job's next rows over, the feeder's lock.

A row waits while it is `created` with `next_attempt_at` at the AWAITING_FEED sentinel (see migration 0013). Handing
rows over sets `next_attempt_at` to now in the UPDATE that picks them, so from then on they are ordinary `created`
notifications: the delivery safety net queues them again if their task is lost, counting from the hand-over.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select, text, update

from app.dao.row_picking import picked_once
from app.extensions import db
from app.models import AWAITING_FEED_SQL, Job, Notification
from app.statsd_decorators import statsd

# Spelled as the partial index `ix_notifications_awaiting_feed` is, with literals, so the planner always matches it.
AWAITING_FEED = f"notification_status = 'created' AND next_attempt_at = {AWAITING_FEED_SQL}"

# Any fixed 64-bit number no other advisory lock uses: the one feeder across every host holds it.
BULK_FEEDER_LOCK_KEY = 0x68657261_6C646665  # "heraldfe"


@dataclass(frozen=True)
class JobAwaitingFeed:
    """A job with rows waiting for the feeder: who it belongs to, its share weight, and up to how many rows wait."""

    job_id: uuid.UUID
    service_id: uuid.UUID
    bulk_share_weight: int
    notification_type: str
    key_type: str
    created_at: datetime
    rows_fed_at: datetime | None
    waiting_row_count: int


@dataclass(frozen=True)
class FedRow:
    id: uuid.UUID
    job_id: uuid.UUID
    job_row_number: int
    notification_type: str
    key_type: str


# The jobs with waiting rows come from the partial index alone, one probe per job (a loose index scan: PostgreSQL
# has no skip scan), however many rows wait; each job's count stops at :row_limit.
_LIST_JOBS_AWAITING_FEED = text(
    f"""
    WITH RECURSIVE waiting(job_id) AS (
        (SELECT job_id FROM notifications WHERE {AWAITING_FEED} AND job_id IS NOT NULL ORDER BY job_id LIMIT 1)
        UNION ALL
        SELECT (
            SELECT job_id FROM notifications
            WHERE {AWAITING_FEED} AND job_id > waiting.job_id
            ORDER BY job_id LIMIT 1
        )
        FROM waiting WHERE waiting.job_id IS NOT NULL
    )
    SELECT jobs.id, jobs.service_id, services.bulk_share_weight, next_row.notification_type, jobs.key_type,
        jobs.created_at, jobs.rows_fed_at, waiting_rows.row_count
    FROM waiting
    JOIN jobs ON jobs.id = waiting.job_id
    JOIN services ON services.id = jobs.service_id
    CROSS JOIN LATERAL (
        SELECT notification_type FROM notifications
        WHERE job_id = jobs.id AND {AWAITING_FEED} ORDER BY job_row_number LIMIT 1
    ) AS next_row
    CROSS JOIN LATERAL (
        SELECT count(*) AS row_count FROM (
            SELECT 1 FROM notifications WHERE job_id = jobs.id AND {AWAITING_FEED} LIMIT :row_limit
        ) AS capped
    ) AS waiting_rows
    """
)


@statsd(namespace="dao")
def dao_list_jobs_awaiting_feed(*, row_limit: int) -> list[JobAwaitingFeed]:
    """Every job with rows waiting for the feeder, each with its waiting rows counted up to ``row_limit``."""
    rows = db.session.execute(_LIST_JOBS_AWAITING_FEED, {"row_limit": row_limit}).all()
    db.session.commit()
    return [JobAwaitingFeed(*row) for row in rows]


@statsd(namespace="dao")
def dao_has_rows_awaiting_feed() -> bool:
    waiting = db.session.execute(select(exists().where(Notification.job_id.is_not(None), text(AWAITING_FEED))))
    is_waiting = bool(waiting.scalar_one())
    db.session.commit()
    return is_waiting


@statsd(namespace="dao")
def dao_hand_over_job_rows(row_counts: Mapping[uuid.UUID, int], *, now: datetime) -> list[FedRow]:
    """Hand over the next ``row_counts[job_id]`` waiting rows of each job, in row order: due at ``now`` (no longer
    waiting), and the job's `rows_fed_at` set to ``now``. One commit for all; a row is handed over at most once.
    Returns the rows handed over, each job's in row order."""
    handed_over: list[FedRow] = []
    for job_id, row_count in row_counts.items():
        if row_count > 0:
            handed_over += _hand_over_rows_of_job(job_id, row_count, now=now)
    fed_job_ids = sorted({row.job_id for row in handed_over})
    if fed_job_ids:
        db.session.execute(
            update(Job)
            .where(Job.id.in_(fed_job_ids))
            .values(rows_fed_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return handed_over


def _hand_over_rows_of_job(job_id: uuid.UUID, row_count: int, *, now: datetime) -> list[FedRow]:
    next_rows = (
        select(Notification.id)
        .where(Notification.job_id == job_id, text(AWAITING_FEED))
        .order_by(Notification.job_row_number)
        .limit(row_count)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(Notification)
        .where(Notification.id.in_(picked_once(next_rows)), text(AWAITING_FEED))
        .values(next_attempt_at=now)
        .returning(
            Notification.id,
            Notification.job_row_number,
            Notification.notification_type,
            Notification.key_type,
        )
        .execution_options(synchronize_session=False)
    )
    rows = [
        FedRow(
            id=row.id,
            job_id=job_id,
            job_row_number=int(row.job_row_number or 0),
            notification_type=row.notification_type,
            key_type=row.key_type,
        )
        for row in db.session.execute(statement)
    ]
    return sorted(rows, key=lambda row: row.job_row_number)


@contextmanager
def dao_hold_bulk_feeder_lock() -> Iterator[bool]:
    """Try to take the one bulk feeder's lock; yield whether it was taken, and release it on leaving.

    A PostgreSQL session advisory lock on a connection of its own, so the session's commits leave it held; a process
    that dies holding it loses its connection, and with it the lock.
    """
    with db.engine.connect() as connection:
        is_held = bool(connection.execute(select(func.pg_try_advisory_lock(BULK_FEEDER_LOCK_KEY))).scalar_one())
        connection.commit()
        try:
            yield is_held
        finally:
            if is_held:
                connection.execute(select(func.pg_advisory_unlock(BULK_FEEDER_LOCK_KEY)))
                connection.commit()
