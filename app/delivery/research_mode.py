"""Test keys (research mode): no provider is called; a simulated receipt goes through the real receipt tasks.

The receipt has the shape the receipt endpoints queue (MMG / Firetext fields, a SES event), and its outcome
depends on the recipient (`app.recipients.simulated`): numbers ending 7700900003 and temp-fail@simulator.notify
fail temporarily, 7700900002 and perm-fail@simulator.notify permanently, anything else is delivered.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.models import NotificationType
from app.notification_status import NotificationStatus
from app.recipients.simulated import simulated_outcome

S = NotificationStatus

# Outcome -> (status, substatus) as MMG reports it.
MMG_RECEIPT_CODES: dict[NotificationStatus, tuple[str, str]] = {
    S.DELIVERED: ("3", "5"),
    S.TEMPORARY_FAILURE: ("4", "27"),
    S.PERMANENT_FAILURE: ("5", "52"),  # "Invalid destination"
}
# Outcome -> (status, detailed code) as Firetext reports it: 102 "Absent Subscriber", 101 "Unknown Subscriber".
FIRETEXT_RECEIPT_CODES: dict[NotificationStatus, tuple[str, str | None]] = {
    S.DELIVERED: ("0", None),
    S.TEMPORARY_FAILURE: ("1", "102"),
    S.PERMANENT_FAILURE: ("1", "101"),
}


def fake_provider_reference(notification_type: str) -> str | None:
    """SES receipts find their notification by reference, so a simulated email gets a SES-like message id. MMG and
    Firetext receipts carry our notification id instead."""
    return str(uuid.uuid4()) if notification_type == NotificationType.EMAIL else None


def enqueue_simulated_sms_receipt(provider: str, notification_id: uuid.UUID, recipient: str) -> None:
    receipt = simulated_sms_receipt(provider, notification_id, _outcome(recipient, NotificationType.SMS), utc_now())
    _queue_receipt(TaskNames.PROCESS_SMS_RECEIPT, [provider, receipt])


def enqueue_simulated_ses_receipt(reference: str, recipient: str) -> None:
    event = simulated_ses_event(reference, _outcome(recipient, NotificationType.EMAIL), utc_now())
    _queue_receipt(TaskNames.PROCESS_SES_RECEIPT, [event])


def simulated_sms_receipt(
    provider: str, notification_id: uuid.UUID, outcome: NotificationStatus, now: datetime
) -> dict[str, str]:
    """The fields the MMG or Firetext receipt endpoint would queue for this outcome (no phone number)."""
    if provider == "mmg":
        status, substatus = MMG_RECEIPT_CODES[outcome]
        return {
            "CID": str(notification_id),
            "status": status,
            "substatus": substatus,
            "reference": f"simulated-{uuid.uuid4().hex[:12]}",
            "deliverytime": now.strftime("%Y-%m-%d %H:%M:%S"),
        }
    status, code = FIRETEXT_RECEIPT_CODES[outcome]
    receipt = {"reference": str(notification_id), "status": status, "time": now.strftime("%Y-%m-%d %H:%M:%S")}
    if code:
        receipt["code"] = code
    return receipt


def simulated_ses_event(reference: str, outcome: NotificationStatus, now: datetime) -> dict[str, Any]:
    """A SES Delivery or Bounce event for the message ``reference``, reduced as the SES endpoint queues it."""
    timestamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    event: dict[str, Any] = {"mail": {"messageId": reference, "timestamp": timestamp}}
    if outcome == S.DELIVERED:
        event["notificationType"] = "Delivery"
        event["delivery"] = {"timestamp": timestamp, "processingTimeMillis": 0}
        return event
    permanent = outcome == S.PERMANENT_FAILURE
    event["notificationType"] = "Bounce"
    event["bounce"] = {
        "bounceType": "Permanent" if permanent else "Transient",
        "bounceSubType": "General" if permanent else "MailboxFull",
        "feedbackId": f"simulated-{uuid.uuid4()}",
        "timestamp": timestamp,
    }
    return event


def _outcome(recipient: str, notification_type: str) -> NotificationStatus:
    return NotificationStatus(simulated_outcome(recipient, notification_type))


def _queue_receipt(task_name: TaskNames, args: list[Any]) -> None:
    task_queue.queue_task(task_name, args=args, queue=QueueNames.RECEIPTS)
