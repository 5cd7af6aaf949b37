"""Hand a receipt to its Celery task; a receipt is acknowledged only once the broker has taken it."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from kombu.exceptions import OperationalError

from app.celery.queues import QueueNames, TaskNames
from app.errors import InvalidRequest

logger = logging.getLogger(__name__)


def queue_receipt_task(task_name: TaskNames, args: list[Any], *, provider: str) -> None:
    """Send the task to the `receipts` queue; raise InvalidRequest 503 when the broker cannot take it.

    A 5xx makes the provider (or SNS) send the receipt again later, so nothing is lost while the broker is down.
    """
    try:
        current_app.extensions["celery"].send_task(task_name, args=args, queue=QueueNames.RECEIPTS)
    except OperationalError as error:
        logger.exception("Could not queue a %s receipt", provider, extra={"provider": provider})
        raise InvalidRequest([f"{provider} receipt could not be queued; try again later"], 503) from error
