"""The deliver tasks: hand one notification to a provider, retrying on the schedule of SPEC §5.

SMS retries at once on the first failure (on another provider), then every 5 minutes; email every 5 minutes;
48 retries in all, then `technical-failure`. A send the provider may have taken waits at least
AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS for its receipt before the retry. Retries go to the `retry` queue, a priority
send's to its own priority queue (lanes.retry_queue). A
notification not committed yet (NoResultFound) is retried 5 times, soon. A database that could not be reached (a
restart, a dropped connection) is retried within seconds on a fresh session (database_errors.py), never counted as
the provider's failure.

The batch tasks (`deliver_sms_batch`, `deliver_email_batch`: delivery/batch_send.py) make each notification's first
attempt as part of a batch; a notification that needs a retry is queued again as its single deliver task, counted as
its first retry, on the schedule above.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, NoReturn

from celery import Task, shared_task
from sqlalchemy.exc import NoResultFound

from app.celery import task_queue
from app.celery.database_errors import DATABASE_MAX_RETRIES, is_database_unavailable, retry_after_database_error
from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.dao.notification_sending_dao import (
    dao_update_notification_next_attempt_at,
    dao_update_notifications_next_attempt_at,
)
from app.delivery.batch_send import BatchOutcome, send_batch
from app.delivery.errors import DeliveryRetryableError, NotificationTechnicalFailureException
from app.delivery.lanes import retry_queue
from app.delivery.queueing import MAX_DELIVER_BATCH, deliver_task_name
from app.delivery.send_to_providers import send_email_to_provider, send_sms_to_provider
from app.extensions import db
from app.models import NotificationType
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
    countdown = retry_countdown(task.request.retries, first_retry_countdown, least_countdown)
    # Tell the safety net when the retry is due, so it neither starts a second chain nor sends it early.
    dao_update_notification_next_attempt_at(notification_id, next_attempt_at=utc_now() + timedelta(seconds=countdown))
    logger.info("Notification %s will be retried in %s s", notification_id, countdown, extra=fields)
    raise task.retry(
        countdown=countdown, queue=_retry_queue(task), kwargs=_retry_kwargs(task, failed_provider=next_failed_provider)
    )


def retry_countdown(retries: int, first_retry_countdown: int, least_countdown: int) -> int:
    """Seconds before the retry that follows attempt ``retries`` (0: the first attempt)."""
    return max(first_retry_countdown if retries == 0 else RETRY_COUNTDOWN_SECONDS, least_countdown)


@shared_task(bind=True, name=TaskNames.DELIVER_SMS_BATCH, max_retries=DATABASE_MAX_RETRIES)
@statsd(namespace="tasks")
def deliver_sms_batch(self: Task, notification_ids: list[str]) -> None:
    _deliver_batch(
        self, notification_ids, NotificationType.SMS, first_retry_countdown=FIRST_SMS_RETRY_COUNTDOWN_SECONDS
    )


@shared_task(bind=True, name=TaskNames.DELIVER_EMAIL_BATCH, max_retries=DATABASE_MAX_RETRIES)
@statsd(namespace="tasks")
def deliver_email_batch(self: Task, notification_ids: list[str]) -> None:
    _deliver_batch(self, notification_ids, NotificationType.EMAIL, first_retry_countdown=RETRY_COUNTDOWN_SECONDS)


def _deliver_batch(task: Task, notification_ids: object, notification_type: str, *, first_retry_countdown: int) -> None:
    """Send the batch in parts of MAX_DELIVER_BATCH; queue each notification to retry as its single deliver task.

    A database that could not be reached retries the task (the parts not yet done) within seconds: a part's claims
    are made before any provider call and a notification already claimed or sent is left alone, so nothing is sent
    twice by that retry.
    """
    ids = _parsed_ids(task, notification_ids)
    for start in range(0, len(ids), MAX_DELIVER_BATCH):
        part = ids[start : start + MAX_DELIVER_BATCH]
        try:
            outcome = send_batch(part)
        except Exception as error:
            db.session.remove()
            if is_database_unavailable(error):
                remaining = [str(notification_id) for notification_id in ids[start:]]
                raise retry_after_database_error(task, error, queue=_retry_queue(task), args=[remaining]) from error
            raise
        _queue_batch_retries(task, outcome, notification_type, first_retry_countdown)


def _parsed_ids(task: Task, notification_ids: object) -> list[uuid.UUID]:
    """The batch's ids; anything that is not a notification id is logged and dropped (it names nothing to send)."""
    if not isinstance(notification_ids, list):
        logger.error(
            "%s got %s, not a list of notification ids: nothing sent", task.name, type(notification_ids).__name__
        )
        return []
    ids: list[uuid.UUID] = []
    for value in notification_ids:
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            ids.append(uuid.UUID(value))
        except ValueError:
            logger.error("%s got %r, which is no notification id: dropped", task.name, str(value)[:64])
    return ids


def _queue_batch_retries(task: Task, outcome: BatchOutcome, notification_type: str, first_retry_countdown: int) -> None:
    """Queue each notification the batch could not settle as its single deliver task on the lane's retry queue,
    counted as its first retry (the batch was its first attempt), when a single send's retry would run."""
    now = utc_now()
    countdowns = {
        retry.notification_id: retry_countdown(0, first_retry_countdown, retry.least_countdown_seconds)
        for retry in outcome.retries
    }
    # Tell the safety net when each retry is due, so it neither starts a second chain nor sends it early.
    dao_update_notifications_next_attempt_at(
        {notification_id: now + timedelta(seconds=countdown) for notification_id, countdown in countdowns.items()}
    )
    queue = _retry_queue(task)
    name = deliver_task_name(notification_type)
    for retry in outcome.retries:
        logger.info(
            "Notification %s will be retried in %s s",
            retry.notification_id,
            countdowns[retry.notification_id],
            extra={"notification_id": retry.notification_id, "task_name": task.name},
        )
        task_queue.queue_task(
            name,
            args=[str(retry.notification_id)],
            queue=queue,
            kwargs={"failed_provider": retry.failed_provider} if retry.failed_provider else None,
            countdown_seconds=countdowns[retry.notification_id],
            retries=1,
        )
    for notification_id in outcome.missing:
        # As a single task's NoResultFound: most likely a commit the task overtook; look again soon.
        logger.warning("Notification %s not found yet; will retry", notification_id, extra={"task_name": task.name})
        task_queue.queue_task(
            name,
            args=[str(notification_id)],
            queue=queue,
            countdown_seconds=NOT_FOUND_RETRY_COUNTDOWNS_SECONDS[0],
            retries=1,
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
