"""Apply a receipt while the provider waits, or hand it to its Celery task when it cannot be applied yet.

Either way the provider hears 200 only once the receipt is applied or the broker has taken it (SPEC §6). Queued
receipts go in batch tasks: receipts that this process's request threads queue while a publish is in flight share the
next message (the group publisher, `app/celery/group_publisher.py`), up to MAX_RECEIPT_BATCH each, and the worker
applies each batch in one statement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import OperationalError as DatabaseError

from app.celery import task_queue
from app.celery.group_publisher import GroupPublisher, GroupPublishTimeoutError, publisher_for
from app.celery.queues import QueueNames, TaskNames
from app.errors import InvalidRequest
from app.extensions import db
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError, ReceiptMayBeEarlyError

logger = logging.getLogger(__name__)


def apply_or_queue_receipt(
    apply: Callable[[], None],
    batch_task: TaskNames,
    receipt: dict[str, Any],
    *,
    provider: str,
    leading_args: tuple[str, ...] = (),
) -> None:
    """Run ``apply`` (one guarded UPDATE, usually) now; queue ``receipt`` instead when it cannot be applied, in a
    ``batch_task(*leading_args, receipts)``.

    Applied in the request, a receipt costs no broker round trip and no worker task (`make bench`: 1.7 ms of CPU less
    per delivered notification, and the status is current as soon as the provider has been answered). It is queued
    only when it may have overtaken its send's commit (ReceiptMayBeEarlyError: the task retries on its short schedule)
    or the database failed. A receipt that can never apply, or whose notification Herald does not have, is logged and
    dropped at once: a bogus receipt costs one lookup, never a queued task.
    """
    fields = {"provider": provider}
    try:
        apply()
        return
    except InvalidReceiptError as error:
        logger.warning("%s receipt dropped: %s", provider, error, extra=fields)
        return
    except ReceiptMayBeEarlyError as error:
        logger.info("%s yet; queued for a retry", error, extra=fields)
    except ReceiptForUnknownNotificationError as error:
        logger.warning("%s; receipt dropped", error, extra=fields)
        return
    except DatabaseError:
        db.session.rollback()
        logger.warning("Database error applying a %s receipt; queued for a retry", provider, extra=fields)
    queue_receipt(batch_task, receipt, provider=provider, leading_args=leading_args)


def queue_receipt(
    batch_task: TaskNames, receipt: dict[str, Any], *, provider: str, leading_args: tuple[str, ...] = ()
) -> None:
    """Return once the broker has ``receipt``, in a ``batch_task`` on the `receipts` queue with the receipts this
    process's other threads queued meanwhile; raise InvalidRequest 503 when the broker cannot take it.

    A 5xx makes the provider (or SNS) send the receipt again later, so nothing is lost while the broker is down.
    """
    try:
        _publisher(batch_task, leading_args).submit(batch_task, QueueNames.RECEIPTS, receipt)
    except (BrokerError, GroupPublishTimeoutError) as error:
        logger.error("Could not queue a %s receipt: %s", provider, error, extra={"provider": provider})
        raise InvalidRequest([f"{provider} receipt could not be queued; try again later"], 503) from error


# Receipts in one batch task: the worker applies them in one UPDATE (a 500-receipt batch is a 1,500-row unnest).
MAX_RECEIPT_BATCH = 500


def _publisher(batch_task: TaskNames, leading_args: tuple[str, ...]) -> GroupPublisher:
    """This process's publisher of ``batch_task`` with ``leading_args`` (a provider's name, say)."""

    def publish(task_name: str, queue: str, receipts: list[Any]) -> None:
        task_queue.queue_task(TaskNames(task_name), args=[*leading_args, receipts], queue=QueueNames(queue))

    return publisher_for(
        current_app.extensions,
        ("receipts", str(batch_task), *leading_args),
        lambda: GroupPublisher(publish, max_items_per_message=MAX_RECEIPT_BATCH),
    )
