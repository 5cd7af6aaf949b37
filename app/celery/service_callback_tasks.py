"""Tasks that POST callbacks to client services, retried only when the service may take them later."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task, shared_task

from app.callbacks.complaints import send_complaint
from app.callbacks.delivery_status import send_delivery_status
from app.callbacks.inbound_sms import send_inbound_sms
from app.callbacks.returned_letter import send_returned_letter
from app.callbacks.sender import CallbackRejectedError, CallbackRetryableError
from app.celery.queues import QueueNames, TaskNames
from app.clients.statsd_client import get_statsd_client
from app.recent_event_counts import EventKind, count_recent_event
from app.statsd_decorators import statsd

logger = logging.getLogger(__name__)

CALLBACK_MAX_RETRIES = 5
CALLBACK_RETRY_DELAY_SECONDS = 300


def _send_or_retry(task: Task, send: Callable[[], int | None], row_id: str, *, id_field: str, kind: str) -> None:
    """Run ``send``; retry on network errors, 5xx and 429 (5 × 300 s), log and stop on anything refused
    for good (by the service, or by the destination policy). Counts the outcome as `callbacks.<kind>.<outcome>`:
    sent, rejected, retried or failed (retries exhausted)."""
    task_name = task.name
    fields = {"task_name": task_name, id_field: row_id}
    metrics = get_statsd_client()
    try:
        status_code = send()
    except CallbackRejectedError as error:
        metrics.incr(f"callbacks.{kind}.rejected")
        logger.warning(
            "%s for %s refused (%s); not retried",
            task_name,
            row_id,
            error,
            extra=fields,
        )
        count_recent_event(EventKind.CALLBACK_FAILURE, "refused")
        return
    except CallbackRetryableError as error:
        if task.request.retries >= CALLBACK_MAX_RETRIES:
            metrics.incr(f"callbacks.{kind}.failed")
            count_recent_event(EventKind.CALLBACK_FAILURE, "given-up")
            logger.error(
                "%s for %s failed (%s) after %s retries; giving up",
                task_name,
                row_id,
                error,
                CALLBACK_MAX_RETRIES,
                extra=fields,
            )
            return
        metrics.incr(f"callbacks.{kind}.retried")
        logger.info("%s for %s failed (%s); will retry", task_name, row_id, error, extra=fields)
        count_recent_event(EventKind.CALLBACK_FAILURE, "retrying")
        raise task.retry(countdown=CALLBACK_RETRY_DELAY_SECONDS, queue=QueueNames.CALLBACKS) from error
    if status_code is not None:
        metrics.incr(f"callbacks.{kind}.sent")
        logger.info("%s for %s answered %s", task_name, row_id, status_code, extra=fields)


@shared_task(bind=True, name=TaskNames.SEND_DELIVERY_STATUS_TO_SERVICE, max_retries=CALLBACK_MAX_RETRIES)
@statsd(namespace="tasks")
def send_delivery_status_to_service(self: Task, notification_id: str) -> None:
    _send_or_retry(
        self,
        lambda: send_delivery_status(notification_id),
        notification_id,
        id_field="notification_id",
        kind="delivery-status",
    )


@shared_task(bind=True, name=TaskNames.SEND_COMPLAINT_TO_SERVICE, max_retries=CALLBACK_MAX_RETRIES)
@statsd(namespace="tasks")
def send_complaint_to_service(self: Task, complaint_id: str) -> None:
    _send_or_retry(self, lambda: send_complaint(complaint_id), complaint_id, id_field="complaint_id", kind="complaint")


@shared_task(bind=True, name=TaskNames.SEND_INBOUND_SMS_TO_SERVICE, max_retries=CALLBACK_MAX_RETRIES)
@statsd(namespace="tasks")
def send_inbound_sms_to_service(self: Task, inbound_sms_id: str) -> None:
    _send_or_retry(
        self, lambda: send_inbound_sms(inbound_sms_id), inbound_sms_id, id_field="inbound_sms_id", kind="inbound-sms"
    )


@shared_task(bind=True, name=TaskNames.SEND_RETURNED_LETTER_TO_SERVICE, max_retries=CALLBACK_MAX_RETRIES)
@statsd(namespace="tasks")
def send_returned_letter_to_service(self: Task, notification_id: str) -> None:
    _send_or_retry(
        self,
        lambda: send_returned_letter(notification_id),
        notification_id,
        id_field="notification_id",
        kind="returned-letter",
    )
