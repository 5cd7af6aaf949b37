"""Cancel a letter, or a whole letter job, before it is printed (letters.md §5.3): the rules of Notify's
`letter_can_be_cancelled`, its messages, and the daily letter counter given back for a letter sent today.

A letter created before 17:30 London time can be cancelled until 17:30 that day; one created after, until 17:30 the
next day. The status change is guarded like every other, so a cancel racing the print run's claim loses cleanly.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from redis.exceptions import RedisError
from sqlalchemy.exc import NoResultFound

from app.clock import utc_now
from app.dao.jobs_dao import dao_get_job_by_id_for_service
from app.dao.letter_jobs_dao import dao_count_job_notifications_by_status, dao_mark_letter_job_cancelled
from app.dao.notifications_dao import dao_get_notification_by_id_for_service
from app.dao.templates_dao import dao_get_template_by_id
from app.errors import InvalidRequest
from app.letters.pdf_store import LONDON, PRINT_DAY_OFFSET
from app.letters.print_run import print_deadline_on_day_of
from app.limits.daily import LETTER, daily_count_key
from app.models import JobStatus, Notification, NotificationType
from app.notification_status import NotificationStatus
from app.redis_store import redis_client
from app.status_changes import ChangeLog, cancel_letters_of_job, change_status

logger = logging.getLogger(__name__)

CANCELLABLE_STATUSES = (NotificationStatus.CREATED, NotificationStatus.PENDING_VIRUS_CHECK)


def is_too_late_to_cancel(created_at: datetime, now: datetime) -> bool:
    """True when the letter's print run has started (all in London time)."""
    created = created_at.astimezone(LONDON)
    today = now.astimezone(LONDON).date()
    deadline_today = print_deadline_on_day_of(now)
    created_before_its_deadline = created <= print_deadline_on_day_of(created_at)
    return (
        (now >= deadline_today and created <= deadline_today)
        or (created.date() < today and created_before_its_deadline)
        or created.date() < today - timedelta(days=1)
    )


def too_late_message(created_at: datetime, now: datetime) -> str:
    print_day = (created_at.astimezone(LONDON) + PRINT_DAY_OFFSET).date()
    when = "today" if print_day == now.astimezone(LONDON).date() else f"on {print_day.day} {print_day:%B}"
    return f"It’s too late to cancel this letter. Printing started {when} at 5.30pm"


def check_letter_can_be_cancelled(notification: Notification, now: datetime) -> None:
    """Raise InvalidRequest with Notify's message when the letter cannot be cancelled."""
    if notification.notification_type != NotificationType.LETTER:
        raise InvalidRequest("Notification cannot be cancelled - only letters can be cancelled", 400)
    if notification.status == NotificationStatus.CANCELLED:
        raise InvalidRequest("This letter has already been cancelled.", 400)
    if notification.status not in CANCELLABLE_STATUSES:
        raise _could_not_cancel(notification)
    if is_too_late_to_cancel(notification.created_at, now):
        raise InvalidRequest(too_late_message(notification.created_at, now), 400)


def _could_not_cancel(notification: Notification) -> InvalidRequest:
    return InvalidRequest(
        f"We could not cancel this letter. Letter status: {notification.status}, created_at: {notification.created_at}",
        400,
    )


def cancel_letter(service_id: uuid.UUID, notification_id: uuid.UUID) -> Notification:
    """Cancel the service's letter; returns it, now `cancelled`. Raises NoResultFound or InvalidRequest."""
    try:
        notification = dao_get_notification_by_id_for_service(service_id, notification_id)
    except NoResultFound as error:
        raise InvalidRequest("Notification not found", 404) from error
    now = utc_now()
    check_letter_can_be_cancelled(notification, now)
    cancelled = change_status(
        notification.id,
        NotificationStatus.CANCELLED,
        only_from=CANCELLABLE_STATUSES,
        log=ChangeLog("Letter %s cancelled", (notification.id,)),
    )
    if cancelled is None:
        # The print run claimed it between the check and the change.
        raise _could_not_cancel(dao_get_notification_by_id_for_service(service_id, notification_id))
    if cancelled.created_at.date() == now.date():
        _give_back_daily_count(cancelled)
    return cancelled


def _give_back_daily_count(notification: Notification) -> None:
    """A cancelled letter no longer counts against today's letter limit (the counter is per UTC day)."""
    client = redis_client()
    if client is None:
        return
    key = daily_count_key(notification.service_id, LETTER, notification.created_at.date())
    try:
        if client.exists(key):  # never below what was counted: a counter that expired or was never made stays unmade
            client.decr(key)
    except RedisError:
        logger.warning(
            "Could not give back the daily letter count of cancelled letter %s",
            notification.id,
            extra={"notification_id": str(notification.id), "service_id": str(notification.service_id)},
        )


# Rows a letter job may have for the job to be cancelled: waiting for print, or already never to be printed.
JOB_CANCELLABLE_ROW_STATUSES = frozenset(
    {
        *CANCELLABLE_STATUSES,
        NotificationStatus.CANCELLED,
        NotificationStatus.VALIDATION_FAILED,
        NotificationStatus.VIRUS_SCAN_FAILED,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)
TOO_LATE_FOR_JOB = "It’s too late to cancel sending, these letters have already been sent."


def cancel_letter_job(service_id: uuid.UUID, job_id: uuid.UUID) -> int:
    """Cancel every letter of a finished letter job before its print run; returns how many were cancelled. Raises
    NoResultFound or InvalidRequest with Notify's message."""
    job = dao_get_job_by_id_for_service(service_id, job_id)
    template = dao_get_template_by_id(job.service_id, job.template_id)
    if template.template_type != NotificationType.LETTER:
        raise InvalidRequest("Only letter jobs can be cancelled through this endpoint. This is not a letter job.", 400)
    counts = dao_count_job_notifications_by_status(job.id)
    if job.job_status != JobStatus.FINISHED or sum(counts.values()) != job.notification_count:
        raise InvalidRequest("We are still processing these letters, please try again in a minute.", 400)
    now = utc_now()
    if set(counts) - JOB_CANCELLABLE_ROW_STATUSES or is_too_late_to_cancel(job.created_at, now):
        raise InvalidRequest(TOO_LATE_FOR_JOB, 400)
    cancelled = cancel_letters_of_job(job.id)
    dao_mark_letter_job_cancelled(job.id, now=now)
    return cancelled
