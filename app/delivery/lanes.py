"""Delivery lanes: every channel has a priority, a normal and a bulk queue, each served by workers of its own, so a
security code never waits behind other API sends and an API send never waits behind a job's rows.

- priority: sends through the API from a template whose `process_type` is `priority`;
- normal: every other API send (the original `send-sms` / `send-email` queues);
- bulk: rows of a job (a CSV upload), whatever their template says.

Test-key sends go to `research-mode` whatever their lane: nothing is handed to a provider for them.
"""

from __future__ import annotations

from enum import StrEnum

from app.celery.queues import QueueNames
from app.models import KeyType, NotificationType, TemplateProcessType


class Lane(StrEnum):
    PRIORITY = "priority"
    NORMAL = "normal"
    BULK = "bulk"


_QUEUES = {
    (Lane.PRIORITY, NotificationType.EMAIL): QueueNames.PRIORITY_EMAIL,
    (Lane.PRIORITY, NotificationType.SMS): QueueNames.PRIORITY_SMS,
    (Lane.NORMAL, NotificationType.EMAIL): QueueNames.SEND_EMAIL,
    (Lane.NORMAL, NotificationType.SMS): QueueNames.SEND_SMS,
    (Lane.BULK, NotificationType.EMAIL): QueueNames.BULK_EMAIL,
    (Lane.BULK, NotificationType.SMS): QueueNames.BULK_SMS,
}
LANE_QUEUES = frozenset(_QUEUES.values())
PRIORITY_QUEUES = frozenset({QueueNames.PRIORITY_SMS, QueueNames.PRIORITY_EMAIL})


def notification_lane(*, is_from_job: bool, process_type: str) -> Lane:
    """A job's row is bulk whatever its template; otherwise the template's process type decides."""
    if is_from_job:
        return Lane.BULK
    return Lane.PRIORITY if process_type == TemplateProcessType.PRIORITY else Lane.NORMAL


def lane_queue(lane: Lane, notification_type: str, key_type: str) -> QueueNames:
    """The queue a deliver task of ``lane`` goes to: research-mode for a test key, else the lane's queue for the
    channel (a letter's, which no provider here sends, goes the way an SMS does, as it always has)."""
    if key_type == KeyType.TEST:
        return QueueNames.RESEARCH_MODE
    channel = NotificationType.EMAIL if notification_type == NotificationType.EMAIL else NotificationType.SMS
    return _QUEUES[(lane, channel)]


def retry_queue(delivered_from: str | None) -> QueueNames:
    """Where a deliver task retries, given the queue it was delivered from.

    A priority send retries on its own queue: retries there are rare (an SMS's first retry is at once, to the other
    provider) and a security code must not wait behind a bulk backlog's retries. Every other retry goes to `retry`,
    served by workers no first attempt of the priority or normal lane depends on.
    """
    if delivered_from in PRIORITY_QUEUES:
        return QueueNames(delivered_from)
    return QueueNames.RETRY
