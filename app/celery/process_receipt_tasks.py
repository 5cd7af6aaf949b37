"""Tasks that apply provider receipts the receipt endpoints could not apply at once (their notification maybe not
committed yet, or a database error) and the simulated receipts of test keys. Only a receipt that may have beaten its
send's commit is retried (at most RECEIPT_MAX_RETRIES times, and only within the window its processor allows); one for
a notification Herald does not have is dropped at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from sqlalchemy.exc import OperationalError

from app.celery.queues import QueueNames, TaskNames
from app.receipts import ses_receipts, sms_receipts
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError, ReceiptMayBeEarlyError
from app.statsd_decorators import statsd

logger = logging.getLogger(__name__)

RECEIPT_MAX_RETRIES = 5
# Short: a receipt that beats the send's commit finds its notification within seconds; after ~3 minutes it is dropped.
RECEIPT_RETRY_COUNTDOWNS_SECONDS = (10, 20, 30, 45, 60)


def _process_or_retry(task: Task, process: Callable[[], None], *, provider: str) -> None:
    fields = {"task_name": task.name, "provider": provider}
    try:
        process()
    except InvalidReceiptError as error:
        logger.warning("%s receipt dropped: %s", provider, error, extra=fields)
    except ReceiptMayBeEarlyError as error:
        if task.request.retries >= RECEIPT_MAX_RETRIES:
            logger.warning("%s; dropped after %s retries", error, RECEIPT_MAX_RETRIES, extra=fields)
            return
        logger.info("%s yet; will retry", error, extra=fields)
        raise _retry(task) from error
    except ReceiptForUnknownNotificationError as error:
        logger.warning("%s; receipt dropped", error, extra=fields)
    except OperationalError as error:
        logger.warning("Database error applying a %s receipt; will retry", provider, extra=fields)
        raise _retry(task, error) from error


def _retry(task: Task, error: Exception | None = None) -> Exception:
    countdown = RECEIPT_RETRY_COUNTDOWNS_SECONDS[min(task.request.retries, RECEIPT_MAX_RETRIES - 1)]
    retry: Exception = task.retry(exc=error, countdown=countdown, queue=QueueNames.RECEIPTS)
    return retry


@shared_task(bind=True, name=TaskNames.PROCESS_SMS_RECEIPT, max_retries=RECEIPT_MAX_RETRIES)
@statsd(namespace="tasks")
def process_sms_receipt(self: Task, provider: str, receipt: dict[str, Any]) -> None:
    """Apply an MMG or Firetext receipt; ``receipt`` holds the provider's fields as it sent them."""
    process = sms_receipts.SMS_RECEIPT_PROCESSORS.get(provider)
    if process is None:
        logger.error("Receipt from unknown SMS provider %s dropped", provider, extra={"task_name": self.name})
        return
    _process_or_retry(self, lambda: process(receipt), provider=provider)


@shared_task(bind=True, name=TaskNames.PROCESS_SES_RECEIPT, max_retries=RECEIPT_MAX_RETRIES)
@statsd(namespace="tasks")
def process_ses_receipt(self: Task, ses_event: dict[str, Any]) -> None:
    """Apply a SES event (the decoded SNS `Message`: Delivery, Bounce or Complaint)."""
    _process_or_retry(self, lambda: ses_receipts.process_ses_receipt(ses_event), provider="ses")
