"""Tasks that apply provider receipts the receipt endpoints could not apply at once (their notification maybe not
committed yet, or a database error) and the simulated receipts of test keys. Only a receipt that may have beaten its
send's commit is retried (at most RECEIPT_MAX_RETRIES times, and only within the window its processor allows); one for
a notification Herald does not have is dropped at once.

Receipts queued together travel as one batch task (`process_sms_receipts`, `process_ses_receipts`), applied in one
statement (`receipts/apply_receipt.py`): a worker applies a backlog of receipts several times faster than one task
per receipt. A receipt of the batch the statement could not apply goes through the one-receipt path, and if it may be
early (or the database failed it) it is queued again alone, as `process_sms_receipt` / `process_ses_receipt` on its
next retry, so it keeps the one-receipt schedule and the batch is never applied twice. The one-receipt tasks stay for
those retries, for the simulated receipts of test keys, and for messages queued before the batch tasks existed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from celery import Task, shared_task
from sqlalchemy.exc import OperationalError

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.extensions import db
from app.receipts import ses_receipts, sms_receipts
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError, ReceiptMayBeEarlyError
from app.receipts.queueing import MAX_RECEIPT_BATCH
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


def _retry(task: Task, error: Exception | None = None, *, args: Sequence[Any] | None = None) -> Exception:
    """The task's retry on the receipt schedule; with ``args``, a retry with these arguments instead of its own."""
    options: dict[str, Any] = {} if args is None else {"args": list(args)}
    countdown = _countdown(task.request.retries)
    retry: Exception = task.retry(exc=error, countdown=countdown, queue=QueueNames.RECEIPTS, **options)
    return retry


def _countdown(retries: int) -> int:
    return RECEIPT_RETRY_COUNTDOWNS_SECONDS[min(retries, RECEIPT_MAX_RETRIES - 1)]


Receipt = Mapping[str, Any]


def _process_batch(
    task: Task,
    receipts: Sequence[Receipt],
    *,
    apply_batch: Callable[[Sequence[Receipt]], list[Receipt]],
    process_one: Callable[[Receipt], None],
    batch_args: Callable[[Sequence[Receipt]], list[Any]],
    one_receipt_task: tuple[TaskNames, Callable[[Receipt], list[Any]]],
    provider: str,
) -> None:
    """Apply ``receipts`` in chunks of MAX_RECEIPT_BATCH (a longer list is split), each in one statement, then
    each receipt a chunk left with ``process_one``. A database error on a chunk retries this task with the chunks not
    yet applied (``batch_args``); a receipt left that may be early is queued alone as ``one_receipt_task``."""
    fields = {"task_name": task.name, "provider": provider}
    for start in range(0, len(receipts), MAX_RECEIPT_BATCH):
        try:
            left = apply_batch(receipts[start : start + MAX_RECEIPT_BATCH])
        except OperationalError as error:
            logger.warning("Database error applying a batch of %s receipts; will retry", provider, extra=fields)
            raise _retry(task, error, args=batch_args(receipts[start:])) from error
        for receipt in left:
            _process_alone_or_queue(task, receipt, process_one, one_receipt_task, fields=fields)


def _process_alone_or_queue(
    task: Task,
    receipt: Receipt,
    process_one: Callable[[Receipt], None],
    one_receipt_task: tuple[TaskNames, Callable[[Receipt], list[Any]]],
    *,
    fields: Mapping[str, str],
) -> None:
    """As _process_or_retry, but a receipt worth a retry is queued alone, as the one-receipt task's next retry."""
    provider = fields["provider"]
    retries = task.request.retries
    try:
        process_one(receipt)
        return
    except InvalidReceiptError as error:
        logger.warning("%s receipt dropped: %s", provider, error, extra=fields)
        return
    except ReceiptMayBeEarlyError as error:
        if retries >= RECEIPT_MAX_RETRIES:
            logger.warning("%s; dropped after %s retries", error, RECEIPT_MAX_RETRIES, extra=fields)
            return
        logger.info("%s yet; will retry alone", error, extra=fields)
    except ReceiptForUnknownNotificationError as error:
        logger.warning("%s; receipt dropped", error, extra=fields)
        return
    except OperationalError:
        db.session.rollback()
        if retries >= RECEIPT_MAX_RETRIES:
            logger.warning(
                "Database error applying a %s receipt; dropped after %s retries", provider, retries, extra=fields
            )
            return
        logger.warning("Database error applying a %s receipt; will retry alone", provider, extra=fields)
    name, args_of = one_receipt_task
    countdown = _countdown(retries)
    task_queue.queue_task(
        name, args=args_of(receipt), queue=QueueNames.RECEIPTS, countdown_seconds=countdown, retries=retries + 1
    )


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


@shared_task(bind=True, name=TaskNames.PROCESS_SMS_RECEIPTS, max_retries=RECEIPT_MAX_RETRIES)
@statsd(namespace="tasks")
def process_sms_receipts(self: Task, provider: str, receipts: list[dict[str, Any]]) -> None:
    """Apply a batch of MMG or Firetext receipts (each as process_sms_receipt takes it) in one statement."""
    process = sms_receipts.SMS_RECEIPT_PROCESSORS.get(provider)
    if process is None:
        logger.error("Receipts from unknown SMS provider %s dropped", provider, extra={"task_name": self.name})
        return
    _process_batch(
        self,
        receipts,
        apply_batch=lambda batch: sms_receipts.process_sms_receipt_batch(provider, batch),
        process_one=process,
        batch_args=lambda rest: [provider, list(rest)],
        one_receipt_task=(TaskNames.PROCESS_SMS_RECEIPT, lambda receipt: [provider, receipt]),
        provider=provider,
    )


@shared_task(bind=True, name=TaskNames.PROCESS_SES_RECEIPTS, max_retries=RECEIPT_MAX_RETRIES)
@statsd(namespace="tasks")
def process_ses_receipts(self: Task, ses_events: list[dict[str, Any]]) -> None:
    """Apply a batch of SES events (each as process_ses_receipt takes it) in one statement."""
    _process_batch(
        self,
        ses_events,
        apply_batch=ses_receipts.process_ses_receipt_batch,
        process_one=ses_receipts.process_ses_receipt,
        batch_args=lambda rest: [list(rest)],
        one_receipt_task=(TaskNames.PROCESS_SES_RECEIPT, lambda event: [event]),
        provider="ses",
    )
