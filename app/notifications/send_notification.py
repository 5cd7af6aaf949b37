"""Accept one SMS or email from the public API: admit it against the limits, check it, store it, queue it.

The view calls `admit_send_for` first (notify-reference §1.9 step 2, before the body is even parsed), validates the
body, then calls `prepare_send` (steps 4 to 8, or the first answer to a repeated Idempotency-Key), shapes its answer
from the prepared notification, and calls `store_send` (step 9) with it. Only a send that stores a
notification keeps its place in today's counters.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app

from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.documents.storage import document_store
from app.documents.uploads import stored_documents
from app.errors import ConflictError
from app.limits.admission import SendAllowance, admit_send
from app.notifications.idempotency import (
    IN_FLIGHT_MESSAGE,
    IdempotentRequest,
    expired_before,
    find_previous_response,
)
from app.notifications.prepare_notification import (
    ApiCaller,
    NotificationRequest,
    PreparedNotification,
    prepare_notification,
)
from app.notifications.process_notifications import (
    IdempotencyClaim,
    IdempotencyKeyTakenError,
    persist_and_enqueue_notification,
    record_unstored_notification,
)
from app.redis_store import redis_client

logger = logging.getLogger(__name__)

STORE_ATTEMPTS = 2  # a second try only when the request that held our Idempotency-Key failed and let it go


@dataclass(frozen=True)
class SendOutcome:
    response_body: dict[str, Any]
    is_replay: bool = False


@dataclass(frozen=True)
class Replay:
    """The first answer to an Idempotency-Key seen before: sent again as it was, nothing checked or stored."""

    response_body: dict[str, Any]


def admit_send_for(caller: ApiCaller, notification_type: str) -> SendAllowance:
    """Take a rate-limit token and reserve a place in today's limit (RateLimitError / TooManyRequestsError)."""
    config = current_app.config
    return admit_send(
        redis_client(),
        service=caller.service,
        key_type=caller.key_type,
        notification_type=notification_type,
        day=utc_now().date(),
        interval_seconds=config["RATE_LIMIT_INTERVAL_SECONDS"],
        trial_daily_limit=config["TRIAL_DAILY_LIMIT"],
    )


def prepare_send(
    request: NotificationRequest, caller: ApiCaller, allowance: SendAllowance, *, idempotent: IdempotentRequest | None
) -> PreparedNotification | Replay:
    """Check one notification and build it, ready to store; or the first answer when its Idempotency-Key was seen
    before (same body, within 24 h), in which case nothing is checked. Raises the typed errors of
    `prepare_notification`."""
    if idempotent is not None:
        previous = find_previous_response(caller.service.id, caller.key_type, idempotent)
        if previous is not None:
            return Replay(previous)
    return prepare_notification(
        request,
        caller,
        allowance,
        default_sms_sender=current_app.config["FROM_NUMBER"],
        admin_base_url=current_app.config["ADMIN_BASE_URL"],
        document_download_base_url=current_app.config["DOCUMENT_DOWNLOAD_BASE_URL"],
    )


def store_send(
    prepared: PreparedNotification,
    allowance: SendAllowance,
    *,
    response_body: dict[str, Any],
    idempotent: IdempotentRequest | None,
) -> SendOutcome:
    """Store and queue a prepared notification; ``response_body`` is the 201 answer, kept with an Idempotency-Key.

    When another request took the same key meanwhile, its answer is returned instead. Raises ConflictError for a key
    still in flight, and whatever the broker raised when queueing failed (nothing is left stored).
    """
    claim = _claim_for(idempotent, response_body)
    for _attempt in range(STORE_ATTEMPTS):
        try:
            _store(prepared, claim, allowance)
        except IdempotencyKeyTakenError as taken:
            previous = find_previous_response(prepared.caller.service.id, prepared.caller.key_type, taken.claim.request)
            if previous is not None:
                return SendOutcome(previous, is_replay=True)
            continue
        _log_accepted(prepared)
        return SendOutcome(response_body)
    raise ConflictError(IN_FLIGHT_MESSAGE)


def _claim_for(idempotent: IdempotentRequest | None, response_body: dict[str, Any]) -> IdempotencyClaim | None:
    if idempotent is None:
        return None
    return IdempotencyClaim(
        request=idempotent,
        response_body=response_body,
        expired_before=expired_before(utc_now()),
    )


def _store(prepared: PreparedNotification, claim: IdempotencyClaim | None, allowance: SendAllowance) -> None:
    if prepared.is_smoke_test:
        record_unstored_notification(prepared, claim)
        return
    with stored_documents(prepared.documents, prepared.id, document_store()):
        persist_and_enqueue_notification(prepared, claim)
    allowance.keep()


def _log_accepted(prepared: PreparedNotification) -> None:
    notification_type = prepared.request.notification_type
    logger.info(
        "Accepted %s notification %s for service %s%s",
        notification_type,
        prepared.id,
        prepared.caller.service.id,
        " (smoke test: not stored)" if prepared.is_smoke_test else "",
        extra={
            "notification_id": str(prepared.id),
            "service_id": str(prepared.caller.service.id),
            "notification_type": notification_type,
            "key_type": prepared.caller.key_type,
        },
    )
    get_statsd_client().incr(f"v2.{notification_type}.accepted")
