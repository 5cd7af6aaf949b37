"""The operator console's read-only figures: each panel is one query over an indexed time range or a small table.

Notifications are counted from both `notifications` and `notification_history` (a short retention may already have
moved some of the last day's), by `created_at`, which both tables index (migration 0014). Test-key notifications
never reach a provider and are left out. A notification's lane is the queue it took: `bulk` when a job made it,
`priority` when its template version was a priority template, `normal` otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Job, JobStatus, Notification, PendingCallback, Service
from app.statsd_decorators import statsd

_RECENT_NOTIFICATIONS = """
    SELECT n.notification_type, n.created_at, n.sent_at, n.sent_by, n.notification_status AS status,
           CASE WHEN n.job_id IS NOT NULL THEN 'bulk'
                WHEN t.process_type = 'priority' THEN 'priority'
                ELSE 'normal' END AS lane
    FROM {table} n
    LEFT JOIN templates_history t ON t.id = n.template_id AND t.version = n.template_version
    WHERE n.created_at >= :since AND n.key_type <> 'test'
"""
_RECENT = (
    f"({_RECENT_NOTIFICATIONS.format(table='notifications')} "
    f"UNION ALL {_RECENT_NOTIFICATIONS.format(table='notification_history')})"
)

_TRAFFIC_TOTALS = text(
    f"""
    SELECT notification_type, lane,
           count(*) AS accepted,
           count(sent_at) AS sent,
           count(*) FILTER (WHERE status = 'delivered') AS delivered,
           count(*) FILTER (WHERE status = 'permanent-failure') AS permanent_failure,
           count(*) FILTER (WHERE status = 'temporary-failure') AS temporary_failure,
           count(*) FILTER (WHERE status = 'technical-failure') AS technical_failure,
           percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at))
               FILTER (WHERE sent_at IS NOT NULL) AS created_to_sent_seconds
    FROM {_RECENT} recent
    GROUP BY notification_type, lane
    """
)

_PER_MINUTE = text(
    f"""
    SELECT date_trunc('minute', created_at) AS minute, notification_type, sent_by,
           count(*) AS accepted,
           count(sent_at) AS sent,
           count(*) FILTER (WHERE status IN ('permanent-failure', 'temporary-failure', 'technical-failure')) AS failed
    FROM {_RECENT} recent
    GROUP BY 1, 2, 3
    """
)


@dataclass(frozen=True)
class TrafficTotals:
    notification_type: str
    lane: str
    accepted: int
    sent: int
    delivered: int
    permanent_failure: int
    temporary_failure: int
    technical_failure: int
    # p50, p95 and p99 of created → sent, in seconds; None when nothing was sent
    created_to_sent_seconds: tuple[float, float, float] | None


@dataclass(frozen=True)
class MinuteCount:
    minute: datetime
    notification_type: str
    sent_by: str | None
    accepted: int
    sent: int
    failed: int


@dataclass(frozen=True)
class JobInProgress:
    id: uuid.UUID
    service_name: str
    original_file_name: str
    job_status: str
    notification_count: int
    notifications_created: int
    processing_started: datetime | None
    created_at: datetime


@statsd(namespace="dao")
def dao_list_traffic_totals(since: datetime) -> list[TrafficTotals]:
    """Notifications created since ``since`` (test keys left out), counted per channel and lane."""
    rows = db.session.execute(_TRAFFIC_TOTALS, {"since": since}).mappings().all()
    return [
        TrafficTotals(
            notification_type=row["notification_type"],
            lane=row["lane"],
            accepted=row["accepted"],
            sent=row["sent"],
            delivered=row["delivered"],
            permanent_failure=row["permanent_failure"],
            temporary_failure=row["temporary_failure"],
            technical_failure=row["technical_failure"],
            created_to_sent_seconds=_percentiles(row["created_to_sent_seconds"]),
        )
        for row in rows
    ]


def _percentiles(values: Sequence[float] | None) -> tuple[float, float, float] | None:
    if values is None:
        return None
    p50, p95, p99 = (float(value) for value in values)
    return p50, p95, p99


@statsd(namespace="dao")
def dao_list_notification_counts_per_minute(since: datetime) -> list[MinuteCount]:
    """Notifications created since ``since`` (test keys left out), counted per minute of creation, channel and the
    provider that took them (None: not taken yet, or never)."""
    rows = db.session.execute(_PER_MINUTE, {"since": since}).mappings().all()
    return [
        MinuteCount(
            minute=row["minute"],
            notification_type=row["notification_type"],
            sent_by=row["sent_by"],
            accepted=row["accepted"],
            sent=row["sent"],
            failed=row["failed"],
        )
        for row in rows
    ]


def dao_count_pending_callbacks() -> tuple[int, datetime | None]:
    """How many callbacks wait for the broker to take them, and since when the oldest has waited."""
    count, oldest = db.session.execute(
        select(func.count(), func.min(PendingCallback.created_at)).select_from(PendingCallback)
    ).one()
    return int(count), oldest


@statsd(namespace="dao")
def dao_list_jobs_in_progress(limit: int) -> list[JobInProgress]:
    """Jobs being processed or waiting to be (oldest first, at most ``limit``), with how many of their
    notifications exist so far (counted on the job's index)."""
    created = select(func.count()).where(Notification.job_id == Job.id).correlate(Job).scalar_subquery()
    rows = db.session.execute(
        select(
            Job.id,
            Service.name,
            Job.original_file_name,
            Job.job_status,
            Job.notification_count,
            created,
            Job.processing_started,
            Job.created_at,
        )
        .join(Service, Service.id == Job.service_id)
        .where(Job.job_status.in_([JobStatus.PENDING, JobStatus.IN_PROGRESS]))
        .order_by(Job.created_at)
        .limit(limit)
    ).all()
    return [JobInProgress(*row) for row in rows]
