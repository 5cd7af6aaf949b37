"""The deliver tasks: hand one notification to a provider, retrying on the schedule of SPEC §5.

SMS retries at once on the first failure (on another provider), then every 5 minutes; email every 5 minutes;
48 retries in all, then `technical-failure`. A send the provider may have taken waits at least
AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS for its receipt before the retry. Retries go to the `retry` queue, a priority
send's to its own priority queue (lanes.retry_queue). A
notification not committed yet (NoResultFound) is retried 5 times, soon. A database that could not be reached (a
restart, a dropped connection) is retried within seconds on a fresh session (database_errors.py), never counted as
the provider's failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NoReturn

from celery import Task, shared_task
from sqlalchemy.exc import NoResultFound

from app.celery.database_errors import is_database_unavailable, retry_after_database_error
from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.dao.notification_sending_dao import dao_update_notification_next_attempt_at
from app.delivery.errors import DeliveryRetryableError, NotificationTechnicalFailureException
from app.delivery.lanes import retry_queue
from app.delivery.send_to_providers import send_email_to_provider, send_sms_to_provider
from app.extensions import db
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)

S = NotificationStatus

MAX_DELIVERY_RETRIES = 48
RETRY_COUNTDOWN_SECONDS = 300
FIRST_SMS_RETRY_COUNTDOWN_SECONDS = 0  # the retry goes to another provider, so there is nothing to wait for
NOT_FOUND_MAX_RETRIES = 5
# A missing notification is almost always one whose commit the task overtook: look again soon, then give up.
NOT_FOUND_RETRY_COUNTDOWNS_SECONDS = (1, 5, 15, 30, 60)

Send = Callable[..., str]


@shared_task(
    bind=True,
    name=TaskNames.DELIVER_SMS,
    max_retries=MAX_DELIVERY_RETRIES,
    throws=(NotificationTechnicalFailureException,),
)
@statsd(namespace="tasks")
def deliver_sms(self: Task, notification_id: str, failed_provider: str | None = None) -> None:
    _deliver(
        self,
        send_sms_to_provider,
        notification_id,
        failed_provider=failed_provider,
        first_retry_countdown=FIRST_SMS_RETRY_COUNTDOWN_SECONDS,
        description="send_sms_to_provider",
    )


@shared_task(
    bind=True,
    name=TaskNames.DELIVER_EMAIL,
    max_retries=MAX_DELIVERY_RETRIES,
    throws=(NotificationTechnicalFailureException,),
)
@statsd(namespace="tasks")
def deliver_email(self: Task, notification_id: str, failed_provider: str | None = None) -> None:
    _deliver(
        self,
        send_email_to_provider,
        notification_id,
        failed_provider=failed_provider,
        first_retry_countdown=RETRY_COUNTDOWN_SECONDS,
        description="send_email_to_provider",
    )


def _deliver(
    task: Task,
    send: Send,
    notification_id: str,
    *,
    failed_provider: str | None,
    first_retry_countdown: int,
    description: str,
) -> None:
    fields = {"notification_id": notification_id, "task_name": task.name}
    try:
        send(notification_id, excluded_provider=failed_provider)
        return
    except NotificationTechnicalFailureException:
        raise
    except NoResultFound:
        _retry_missing_notification(task, notification_id)
        return
    except DeliveryRetryableError as error:
        next_failed_provider = error.failed_provider
        least_countdown = error.retry_after_seconds
    except Exception as error:
        # The session may be broken (a statement failed mid-transaction): roll it back before anything else uses it.
        db.session.remove()
        if is_database_unavailable(error):
            # A restart or a dropped connection says nothing about the provider: try again in seconds, same provider.
            raise retry_after_database_error(task, error, queue=_retry_queue(task)) from error
        # Unexpected (a bug): retried on the provider schedule, so it ends in technical-failure.
        logger.exception("Sending notification %s failed unexpectedly", notification_id, extra=fields)
        next_failed_provider = None
        least_countdown = 0
    if task.request.retries >= task.max_retries:
        _fail_after_last_retry(notification_id, description, fields)
    countdown = max(first_retry_countdown if task.request.retries == 0 else RETRY_COUNTDOWN_SECONDS, least_countdown)
    # Tell the safety net when the retry is due, so it neither starts a second chain nor sends it early.
    dao_update_notification_next_attempt_at(notification_id, next_attempt_at=utc_now() + timedelta(seconds=countdown))
    logger.info("Notification %s will be retried in %s s", notification_id, countdown, extra=fields)
    raise task.retry(
        countdown=countdown, queue=_retry_queue(task), kwargs=_retry_kwargs(task, failed_provider=next_failed_provider)
    )


def _retry_queue(task: Task) -> QueueNames:
    delivery_info = task.request.delivery_info or {}
    return retry_queue(delivery_info.get("routing_key"))


def _retry_kwargs(task: Task, *, failed_provider: str | None) -> dict[str, Any]:
    kwargs = dict(task.request.kwargs or {})
    kwargs.pop("failed_provider", None)
    if failed_provider:
        kwargs["failed_provider"] = failed_provider
    return kwargs


def _retry_missing_notification(task: Task, notification_id: str) -> None:
    """Retry soon (it may not be committed yet); after NOT_FOUND_MAX_RETRIES give up with an error log."""
    fields = {"notification_id": notification_id, "task_name": task.name}
    if task.request.retries >= NOT_FOUND_MAX_RETRIES:
        logger.error(
            "Notification %s not found after %s retries; nothing sent",
            notification_id,
            NOT_FOUND_MAX_RETRIES,
            extra=fields,
        )
        return
    logger.warning("Notification %s not found yet; will retry", notification_id, extra=fields)
    raise task.retry(countdown=NOT_FOUND_RETRY_COUNTDOWNS_SECONDS[task.request.retries], queue=_retry_queue(task))


def _fail_after_last_retry(notification_id: str, description: str, fields: dict[str, Any]) -> NoReturn:
    message = (
        f"RETRY FAILED: Max retries reached. The task {description} failed for notification {notification_id}. "
        "Notification has been updated to technical-failure"
    )
    # Only from `created`: the last attempt handed its claim back, and a notification another worker holds
    # (or has sent) is not ours to fail.
    log = ChangeLog("%s", (message,), level=logging.ERROR, fields=fields)
    failed = change_status(notification_id, S.TECHNICAL_FAILURE, only_from=[S.CREATED], log=log)
    if failed is None:
        logger.warning(
            "Notification %s ran out of retries but is no longer created (another worker holds or sent it): left alone",
            notification_id,
            extra=fields,
        )
    raise NotificationTechnicalFailureException(message)
