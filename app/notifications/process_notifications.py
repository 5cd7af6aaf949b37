"""Store an accepted notification (one INSERT, status `created`) and then queue its delivery task.

The task is queued only after the row is committed, so a worker always finds it. An SMS or email goes out in a batch
message shared with the requests this process queues at the same moment (delivery/grouped_queueing.py); the call
still returns only once that message is on the broker. If the broker refuses the task the
row is deleted again and the error propagates (a 500): a client never gets a 201 for something that will not be
sent. A process that dies between the commit and the enqueue leaves a `created` row, which the delivery safety net
queues a few minutes later.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from app.clock import utc_now
from app.dao.idempotency_dao import (
    dao_create_completed_idempotency_record,
    dao_create_notification_with_idempotency_record,
    dao_delete_idempotency_record,
    dao_update_idempotency_record_notification_id,
)
from app.dao.notifications_dao import dao_create_notification_autocommit, dao_delete_notification_by_id
from app.delivery.grouped_queueing import enqueue_deliver_in_group
from app.delivery.lanes import Lane, notification_lane
from app.letters.queueing import enqueue_letter_pdf_task
from app.models import Notification, NotificationType
from app.notification_status import NotificationStatus
from app.notifications.idempotency import IdempotentRequest, idempotency_scope
from app.notifications.prepare_notification import PreparedNotification
from app.recipients.search_hash import recipient_search_hash

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdempotencyClaim:
    """The Idempotency-Key a send is made under (with its request's fingerprint) and the answer it will get."""

    request: IdempotentRequest
    response_body: dict[str, Any]
    expired_before: datetime


class IdempotencyKeyTakenError(Exception):
    """Another request claimed the same Idempotency-Key first; this one stored nothing."""

    def __init__(self, claim: IdempotencyClaim) -> None:
        super().__init__("Idempotency-Key already claimed")
        self.claim = claim


def new_notification(prepared: PreparedNotification, *, created_at: datetime) -> Notification:
    request, recipient = prepared.request, prepared.recipient
    notification = Notification(
        id=prepared.id,
        to=recipient.to,
        normalised_to=recipient.normalised_to,
        service_id=prepared.caller.service.id,
        template_id=prepared.template.id,
        template_version=prepared.template.version,
        api_key_id=prepared.caller.api_key_id,
        key_type=prepared.caller.key_type,
        billable_units=0,
        notification_type=request.notification_type,
        created_at=created_at,
        status=prepared.initial_status,
        reference=prepared.reference,
        postage=prepared.postage,
        client_reference=request.client_reference,
        international=recipient.is_international,
        phone_prefix=recipient.phone_prefix,
        rate_multiplier=recipient.rate_multiplier,
        reply_to_text=prepared.reply_to_text,
        unsubscribe_link=request.unsubscribe_link,
        recipient_hash=recipient_search_hash(current_app.config["RECIPIENT_SEARCH_KEY"], recipient.normalised_to),
    )
    if prepared.initial_status != NotificationStatus.CREATED:
        notification.updated_at = created_at
    notification.personalisation = prepared.personalisation
    return notification


def persist_notification(prepared: PreparedNotification, claim: IdempotencyClaim | None = None) -> None:
    """Insert the notification (and, with a claim, its in-flight idempotency record in the same transaction).

    Raises IdempotencyKeyTakenError, storing nothing, when a live record already holds the claim's key.
    """
    now = utc_now()
    notification = new_notification(prepared, created_at=now)
    if claim is None:
        dao_create_notification_autocommit(notification)
        return
    is_claimed = dao_create_notification_with_idempotency_record(
        notification,
        idempotency_key=claim.request.key,
        request_fingerprint=claim.request.fingerprint,
        response_body=claim.response_body,
        created_at=now,
        expired_before=claim.expired_before,
    )
    if not is_claimed:
        raise IdempotencyKeyTakenError(claim)


def enqueue_notification(
    notification_id: uuid.UUID, notification_type: str, key_type: str, lane: Lane = Lane.NORMAL
) -> None:
    """Queue an SMS or email on ``lane``'s queue (research-mode for test keys) in a deliver_sms_batch /
    deliver_email_batch message; a letter's PDF is made first (create-letters-pdf-tasks)."""
    if notification_type == NotificationType.LETTER:
        enqueue_letter_pdf_task(notification_id)
        return
    enqueue_deliver_in_group(notification_id, notification_type, key_type, lane)


def persist_and_enqueue_notification(prepared: PreparedNotification, claim: IdempotencyClaim | None = None) -> None:
    """Store, then queue. If queueing fails, delete what was stored and re-raise."""
    persist_notification(prepared, claim)
    service_id = prepared.caller.service.id
    scope = None if claim is None else idempotency_scope(service_id, prepared.caller.key_type, claim.request)
    try:
        lane = notification_lane(is_from_job=False, process_type=prepared.template.process_type)
        enqueue_notification(prepared.id, prepared.request.notification_type, prepared.caller.key_type, lane)
    except Exception:
        dao_delete_notification_by_id(prepared.id)
        if scope is not None:
            dao_delete_idempotency_record(scope)
        logger.exception(
            "Could not queue notification %s; deleted it",
            prepared.id,
            extra={"notification_id": str(prepared.id), "service_id": str(service_id)},
        )
        raise
    if scope is not None:
        dao_update_idempotency_record_notification_id(scope, prepared.id)


def record_unstored_notification(prepared: PreparedNotification, claim: IdempotencyClaim | None) -> None:
    """A smoke-test send stores no notification and queues nothing; under an Idempotency-Key its answer is still
    recorded, so a retry gets the same id. Raises IdempotencyKeyTakenError when a live record holds the key."""
    if claim is None:
        return
    is_claimed = dao_create_completed_idempotency_record(
        idempotency_scope(prepared.caller.service.id, prepared.caller.key_type, claim.request),
        request_fingerprint=claim.request.fingerprint,
        response_body=claim.response_body,
        notification_id=prepared.id,
        created_at=utc_now(),
        expired_before=claim.expired_before,
    )
    if not is_claimed:
        raise IdempotencyKeyTakenError(claim)
