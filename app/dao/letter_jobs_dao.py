"""What a letter job's rows are doing, for cancelling the whole job (letters.md §5.3)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Job, JobStatus, Notification
from app.statsd_decorators import statsd


@statsd(namespace="dao")
def dao_count_job_notifications_by_status(job_id: uuid.UUID | str) -> dict[str, int]:
    statement = (
        select(Notification.status, func.count()).where(Notification.job_id == job_id).group_by(Notification.status)
    )
    return {status: count for status, count in db.session.execute(statement).all()}


@statsd(namespace="dao")
def dao_mark_letter_job_cancelled(job_id: uuid.UUID | str, *, now: datetime) -> None:
    """Commits."""
    db.session.execute(update(Job).where(Job.id == job_id).values(job_status=JobStatus.CANCELLED, updated_at=now))
    db.session.commit()
