"""Apply a receipt while the provider waits, or hand it to its Celery task when it cannot be applied yet.

Either way the provider hears 200 only once the receipt is applied or the broker has taken it (SPEC §6). Queued
receipts go in batch tasks, those queued together by the process's request threads in one (`receipt_batches.py`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import OperationalError as DatabaseError

from app.caches import AppObjectName, app_object
from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.errors import InvalidRequest
from app.extensions import db
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError, ReceiptMayBeEarlyError
from app.receipts.receipt_batches import ReceiptBatcher, ReceiptNotQueuedError

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
        _batcher(batch_task, leading_args).submit(receipt)
    except ReceiptNotQueuedError as error:
        if not isinstance(error.__cause__, BrokerError):
            raise
        logger.error("Could not queue a %s receipt: %s", provider, error.__cause__, extra={"provider": provider})
        raise InvalidRequest([f"{provider} receipt could not be queued; try again later"], 503) from error


_BATCHERS = AppObjectName[dict[tuple[str, ...], ReceiptBatcher]]("herald_receipt_batchers")
_new_batcher = threading.Lock()


def _batcher(batch_task: TaskNames, leading_args: tuple[str, ...]) -> ReceiptBatcher:
    """The app's one batcher for ``batch_task`` with ``leading_args`` (a provider's name, say)."""
    batchers = app_object(_BATCHERS, dict)
    key = (str(batch_task), *leading_args)
    batcher = batchers.get(key)
    if batcher is None:
        with _new_batcher:
            batcher = batchers.setdefault(key, ReceiptBatcher(_publisher(batch_task, leading_args)))
    return batcher


def _publisher(batch_task: TaskNames, leading_args: tuple[str, ...]) -> Callable[[list[Any]], None]:
    def publish(receipts: list[Any]) -> None:
        task_queue.queue_task(batch_task, args=[*leading_args, receipts], queue=QueueNames.RECEIPTS)

    return publish
