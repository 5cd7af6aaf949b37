"""What a letter job's rows are doing: for cancelling the whole job (letters.md §5.3), and for queueing again the
PDFs of a job whose run died."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from app.extensions import db
from app.models import Job, JobStatus, KeyType, Notification, NotificationType
from app.notification_status import NotificationStatus
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


@statsd(namespace="dao")
def dao_list_job_letters_awaiting_pdf(job_id: uuid.UUID | str) -> list[uuid.UUID]:
    """The job's letters whose PDF is not made yet: live ones `created` with no sheets counted, a test key's still
    `sending` (its fake delivery waits for the PDF)."""
    awaiting = or_(
        and_(Notification.status == NotificationStatus.CREATED, Notification.billable_units == 0),
        and_(Notification.status == NotificationStatus.SENDING, Notification.key_type == KeyType.TEST),
    )
    statement = (
        select(Notification.id)
        .where(Notification.job_id == job_id, Notification.notification_type == NotificationType.LETTER, awaiting)
        .order_by(Notification.job_row_number)
    )
    return list(db.session.execute(statement).scalars())
