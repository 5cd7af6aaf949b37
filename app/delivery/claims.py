"""Claim a notification for one send attempt, hand the claim back after a retryable failure, record the answer.

The claim protocol's writes go through the same guard as every other status change (`dao/notification_status_dao.py`
`may_become`); a status a send makes final is written through `status_changes.py`.

A claim moves the notification `created -> sending` (or takes over a stale claim, see SENDING_CLAIM_LEASE_SECONDS)
and stamps `sending_claimed_at`, `sent_by` and `billable_units`, so they are set even when the provider then
fails. Only the holder of a claim calls the provider, which is what makes a duplicate or redelivered task harmless.

A send that got no answer may have been taken: its claim is handed back with the reference the provider's receipts
will carry, and no claim takes the notification for AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS. A receipt that comes in
that time moves it out of `created` (see `receipts/apply_receipt.py`), so it is never sent again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from app.celery.database_errors import write_while_database_recovers
from app.clock import utc_now
from app.dao.notification_sending_dao import (
    ClaimRequest,
    NotificationToQueue,
    dao_claim_notification_for_sending,
    dao_claim_notifications_for_sending,
    dao_reclaim_stale_sending_notification,
    dao_record_notification_sent,
    dao_record_notifications_sent,
    dao_release_sending_claim,
    dao_release_sending_claim_to_await_receipt,
    dao_release_stale_sending_claims,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendingClaim:
    """One worker's right to hand one notification to ``provider``; ``claimed_at`` identifies the claim."""

    notification_id: uuid.UUID
    provider: str
    claimed_at: datetime


def claim_notification_for_sending(
    notification_id: uuid.UUID, *, provider: str, billable_units: int
) -> SendingClaim | None:
    """Claim the notification for a send to ``provider``; None when it is not ours to send (logged by the caller):
    it is not `created` (a receipt may have moved it on) or is still waiting for the receipt of a send that may have
    been taken, and it is no stale claim either."""
    claimed_at = utc_now()
    if dao_claim_notification_for_sending(
        notification_id, claimed_at=claimed_at, sent_by=provider, billable_units=billable_units
    ):
        return SendingClaim(notification_id, provider, claimed_at)
    lease = timedelta(seconds=current_app.config["SENDING_CLAIM_LEASE_SECONDS"])
    if dao_reclaim_stale_sending_notification(
        notification_id,
        claimed_at=claimed_at,
        stale_claims_before=claimed_at - lease,
        sent_by=provider,
        billable_units=billable_units,
    ):
        logger.warning(
            "Took over the stale sending claim of notification %s: its worker never recorded a provider answer",
            notification_id,
            extra={"notification_id": notification_id, "provider": provider},
        )
        return SendingClaim(notification_id, provider, claimed_at)
    return None


def release_claim(claim: SendingClaim) -> bool:
    """Hand the claim back (`sending -> created`) so a retry can claim it; False if it was no longer ours."""
    return dao_release_sending_claim(claim.notification_id, claimed_at=claim.claimed_at)


def release_claim_to_await_receipt(claim: SendingClaim, *, reference: str | None) -> bool:
    """Hand back the claim of a send that may have been taken (`sending -> created`), keeping ``reference`` (what
    the provider's receipts carry, when known without its answer); not claimable for
    AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS. False if it was no longer ours (a receipt may already have moved it on)."""
    wait_seconds = current_app.config["AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS"]
    return dao_release_sending_claim_to_await_receipt(
        claim.notification_id,
        claimed_at=claim.claimed_at,
        reference=reference,
        receipt_wait_until=utc_now() + timedelta(seconds=wait_seconds),
    )


def release_stale_claims(*, claimed_before: datetime, limit: int) -> list[NotificationToQueue]:
    """Hand back up to ``limit`` claims made before ``claimed_before`` with no provider answer recorded (`sending ->
    created`, due at once): their workers died. Returns what to queue again."""
    return dao_release_stale_sending_claims(claimed_before=claimed_before, limit=limit)


@dataclass(frozen=True)
class RecordedAnswer:
    sent_at: datetime
    status: str | None  # the status the write saw; None when another answer had been recorded first


def record_provider_answer(claim: SendingClaim, *, reference: str | None) -> RecordedAnswer:
    """Store when the provider accepted the notification and its reference for it.

    Only this worker knows the answer: if the database is down (a restart), keep trying for a while rather than
    leave the claim unanswered, which the safety net would take for a send that never happened and send again.
    """
    sent_at = utc_now()
    status = write_while_database_recovers(
        lambda: dao_record_notification_sent(claim.notification_id, sent_at=sent_at, reference=reference)
    )
    if status is None:
        logger.warning(
            "Notification %s already had a provider answer recorded; %s's answer not stored",
            claim.notification_id,
            claim.provider,
            extra={"notification_id": claim.notification_id, "provider": claim.provider},
        )
    return RecordedAnswer(sent_at=sent_at, status=status)


def claim_notifications_for_sending(requests: Sequence[ClaimRequest]) -> dict[uuid.UUID, SendingClaim]:
    """Claim each requested notification as claim_notification_for_sending would (a `created` one, else a stale
    claim to take over), all in one statement and at one ``claimed_at``; returns the claims made, by notification."""
    claimed_at = utc_now()
    lease = timedelta(seconds=current_app.config["SENDING_CLAIM_LEASE_SECONDS"])
    claimed = dao_claim_notifications_for_sending(
        requests, claimed_at=claimed_at, stale_claims_before=claimed_at - lease
    )
    return {
        request.notification_id: SendingClaim(request.notification_id, request.sent_by, claimed_at)
        for request in requests
        if request.notification_id in claimed
    }


def record_provider_answers(references: Mapping[SendingClaim, str | None]) -> dict[uuid.UUID, RecordedAnswer]:
    """record_provider_answer for many claims, in one statement (kept trying while the database recovers)."""
    sent_at = utc_now()
    by_notification = {claim.notification_id: reference for claim, reference in references.items()}
    statuses = write_while_database_recovers(lambda: dao_record_notifications_sent(by_notification, sent_at=sent_at))
    for claim in references:
        if claim.notification_id not in statuses:
            logger.warning(
                "Notification %s already had a provider answer recorded; %s's answer not stored",
                claim.notification_id,
                claim.provider,
                extra={"notification_id": claim.notification_id, "provider": claim.provider},
            )
    return {
        claim.notification_id: RecordedAnswer(sent_at=sent_at, status=statuses.get(claim.notification_id))
        for claim in references
    }
