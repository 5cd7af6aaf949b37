"""Counts of notifications by status, per job and per service per day, over the working set and its history.

Nothing keeps running counters: each count is a GROUP BY over `notifications` UNION ALL `notification_history`,
each side aggregated on its own index first ((job_id, notification_status) for a job, (service_id, created_at) for a
service). A notification is in exactly one of the two tables, so the counts stay the same when the nightly task moves
rows from one to the other. Test-key notifications are left out of service statistics (they are never moved, only
deleted); a job's statistics count every notification it made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, cast, func, select, union_all

from app.extensions import db
from app.models import KeyType, Notification, NotificationHistory
from app.statsd_decorators import statsd


@dataclass(frozen=True)
class StatusCount:
    status: str
    count: int


@dataclass(frozen=True)
class DailyStatusCount:
    day: date
    notification_type: str
    status: str
    count: int


@statsd(namespace="dao")
def dao_list_job_statistics(job_id: uuid.UUID | str) -> list[StatusCount]:
    """How many of the job's notifications are in each status, ordered by status."""
    per_table = [
        select(model.status.label("status"), func.count().label("count"))
        .where(model.job_id == job_id)
        .group_by(model.status)
        for model in (Notification, NotificationHistory)
    ]
    both = union_all(*per_table).subquery()
    rows = db.session.execute(
        select(both.c.status, func.sum(both.c.count)).group_by(both.c.status).order_by(both.c.status)
    ).all()
    return [StatusCount(status=status, count=int(count)) for status, count in rows]


@statsd(namespace="dao")
def dao_list_service_daily_statistics(
    service_id: uuid.UUID | str, *, created_since: datetime
) -> list[DailyStatusCount]:
    """How many of the service's notifications (test keys aside) were created on each UTC day since
    ``created_since``, by type and status; ordered by day, type and status."""
    per_table = []
    for model in (Notification, NotificationHistory):
        day = cast(func.timezone("UTC", model.created_at), Date).label("day")
        per_table.append(
            select(day, model.notification_type.label("notification_type"), model.status.label("status"))
            .add_columns(func.count().label("count"))
            .where(
                model.service_id == service_id,
                model.created_at >= created_since,
                model.key_type != KeyType.TEST,
            )
            .group_by(day, model.notification_type, model.status)
        )
    both = union_all(*per_table).subquery()
    keys = (both.c.day, both.c.notification_type, both.c.status)
    rows = db.session.execute(select(*keys, func.sum(both.c.count)).group_by(*keys).order_by(*keys)).all()
    return [
        DailyStatusCount(day=day, notification_type=notification_type, status=status, count=int(count))
        for day, notification_type, status, count in rows
    ]
