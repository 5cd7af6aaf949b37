"""Hand one notification to its provider: the only code that talks to providers (SPEC §5).

Each send claims the notification first (`claims.py`), so only one worker ever calls a provider for it; renders it
from its stored template version; closes the database session; calls the provider; and records the provider's
reference and `sent_at`. The steps are public so that the batch send (`batch_send.py`) takes each one exactly as a
single send does, only claiming and recording many notifications per statement. A retryable provider error hands the
claim back and raises DeliveryRetryableError naming the provider, so the retry goes elsewhere: at once when the
provider certainly did not take the message, after AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS when it may have (no answer
came after the request was sent). In that wait the notification keeps the reference its receipts carry (SMS: the
notification id; SES events find an email by the notification id it carries in a header), so a receipt moves it on
and the retry never sends it.

Where a notification can still be sent twice: the provider accepted it and the worker died (or lost the database)
before recording the answer, so after the claim lease it is sent again; a send that got no answer and whose receipt
does not come within the wait; and a receipt
that comes after the retry has claimed it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from flask import current_app

from app.clients.errors import (
    InvalidEmailRecipientError,
    ProviderError,
    ProviderOutcomeUnknownError,
    ProviderPermanentError,
    ProviderRetryableError,
)
from app.clients.provider import EmailProviderClient, SmsProviderClient
from app.clients.statsd_client import get_statsd_client
from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_status_by_id
from app.delivery.claims import (
    RecordedAnswer,
    SendingClaim,
    claim_notification_for_sending,
    record_provider_answer,
    release_claim,
    release_claim_to_await_receipt,
)
from app.delivery.errors import (
    DeliveryRetryableError,
    NotificationTechnicalFailureException,
    UnrenderableNotificationError,
)
from app.delivery.lanes import Lane
from app.delivery.outgoing import OutgoingEmail, OutgoingSms, build_outgoing_email, build_outgoing_sms
from app.delivery.provider_clients import provider_clients
from app.delivery.provider_priorities import record_sms_provider_error
from app.delivery.provider_selection import choose_email_provider, choose_sms_provider
from app.delivery.research_mode import (
    enqueue_simulated_ses_receipt,
    enqueue_simulated_sms_receipt,
    fake_provider_reference,
)
from app.delivery.send_context import service_for_sending
from app.extensions import db
from app.models import Notification, NotificationType
from app.notification_status import NotificationStatus
from app.recent_event_counts import EventKind, count_recent_event
from app.recipients.errors import InvalidRecipientError
from app.serialised_models import SerialisedService
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)

S = NotificationStatus


def send_sms_to_provider(notification_id: uuid.UUID | str, *, excluded_provider: str | None = None) -> str:
    """Send one SMS (or simulate it for a test key); returns the notification's status afterwards.

    Does nothing (and returns the current status) unless the notification is ours to claim. Raises NoResultFound,
    DeliveryRetryableError (claim handed back) or NotificationTechnicalFailureException (service inactive).
    """
    return _send_one(dao_get_notification_by_id(notification_id), excluded_provider=excluded_provider)


def send_email_to_provider(notification_id: uuid.UUID | str, *, excluded_provider: str | None = None) -> str:
    """Send one email (or simulate it for a test key); returns the notification's status afterwards.

    The reply-to address is the notification's own, else the service's default. A recipient the provider rejects
    outright (SES `InvalidParameterValue`) makes the notification `permanent-failure` with no retry. Raises as
    send_sms_to_provider does.
    """
    return _send_one(dao_get_notification_by_id(notification_id), excluded_provider=excluded_provider)


def _send_one(notification: Notification, *, excluded_provider: str | None) -> str:
    send = prepare_send(notification, excluded_provider=excluded_provider)
    if send is None:
        return leave_alone(notification.id)
    claim = claim_notification_for_sending(
        send.notification_id, provider=send.provider, billable_units=send.billable_units
    )
    if claim is None:
        return leave_alone(notification.id)
    db.session.remove()  # no connection is held while the provider takes its time
    answer = call_provider(send)
    if answer.error is not None:
        return settle_refusal(claim, send, answer.error)
    return settle_acceptance(claim, send, record_provider_answer(claim, reference=answer.reference))


@dataclass(frozen=True)
class PreparedSend:
    """One notification built and matched with a provider, ready to be claimed and handed over.

    ``call`` makes the provider call (nothing for a test key) and returns the provider's reference; it needs
    neither the database nor the app context, so it may run on any thread. ``on_sending`` runs once the answer is
    recorded and the notification is still `sending` (a test key's simulated receipt).
    """

    notification_id: uuid.UUID
    notification_type: str
    provider: str
    billable_units: int
    lane: Lane
    service_id: uuid.UUID
    created_at: datetime
    is_final_once_accepted: bool
    receipt_reference: str | None
    call: Callable[[], str | None] = field(repr=False)
    on_sending: Callable[[], None] | None = field(repr=False)


def prepare_send(notification: Notification, *, excluded_provider: str | None) -> PreparedSend | None:
    """Build the notification's message and choose its provider; None when it is not ours to send (it is not
    `created`, and cannot be sent anyway). Raises NotificationTechnicalFailureException (made `technical-failure`:
    service inactive, unrenderable, invalid recipient) or NoActiveProviderError."""
    try:
        service = _active_service(notification)
        if notification.notification_type == NotificationType.EMAIL:
            return _prepare_email(_build_email(notification, service), excluded_provider)
        return _prepare_sms(_build_sms(notification, service), excluded_provider)
    except _NotOursToSendError:
        return None


def _prepare_sms(sms: OutgoingSms, excluded_provider: str | None) -> PreparedSend:
    provider = choose_sms_provider(international=sms.is_international, excluded=excluded_provider)
    client = None if sms.is_research_mode else provider_clients().sms(provider)
    return PreparedSend(
        notification_id=sms.notification_id,
        notification_type=NotificationType.SMS,
        provider=provider,
        billable_units=sms.fragment_count,
        lane=sms.lane,
        service_id=sms.service_id,
        created_at=sms.created_at,
        is_final_once_accepted=sms.is_international and not sms.has_delivery_receipts,
        receipt_reference=_sms_reference(sms),
        call=(lambda: None) if client is None else (lambda: _send_sms(client, sms)),
        on_sending=(lambda: enqueue_simulated_sms_receipt(provider, sms.notification_id, sms.to))
        if sms.is_research_mode
        else None,
    )


def _prepare_email(email: OutgoingEmail, excluded_provider: str | None) -> PreparedSend:
    provider = choose_email_provider(excluded=excluded_provider)
    simulated_reference = fake_provider_reference(NotificationType.EMAIL) if email.is_research_mode else None
    client = None if email.is_research_mode else provider_clients().email(provider)
    return PreparedSend(
        notification_id=email.notification_id,
        notification_type=NotificationType.EMAIL,
        provider=provider,
        billable_units=0,
        lane=email.lane,
        service_id=email.service_id,
        created_at=email.created_at,
        is_final_once_accepted=False,
        receipt_reference=None,  # SES names its message id only in its answer; its events carry the notification id
        call=(lambda: simulated_reference) if client is None else (lambda: _send_email(client, email)),
        on_sending=(lambda: enqueue_simulated_ses_receipt(simulated_reference, email.to))
        if simulated_reference
        else None,
    )


def _sms_reference(sms: OutgoingSms) -> str:
    """The reference an SMS is sent with, which MMG's and Firetext's receipts carry back: the notification id."""
    return str(sms.notification_id)


def _send_sms(client: SmsProviderClient, sms: OutgoingSms) -> str:
    return client.send_sms(
        to=sms.to,
        content=sms.body,
        reference=_sms_reference(sms),
        sender=sms.sender,
        is_international=sms.is_international,
    )


def _send_email(client: EmailProviderClient, email: OutgoingEmail) -> str:
    return client.send_email(
        from_address=email.from_address,
        to_address=email.to,
        subject=email.subject,
        body_text=email.plain_text,
        body_html=email.html,
        reply_to_address=email.reply_to,
        notification_id=email.notification_id,
        headers=email.headers,
    )


@dataclass(frozen=True)
class ProviderAnswer:
    """What a provider call came to: the provider's reference (None for a simulated SMS), or the provider's error."""

    reference: str | None = None
    error: ProviderError | None = None


def call_provider(send: PreparedSend) -> ProviderAnswer:
    """Make the provider call; a provider's error is returned, anything else (a bug) raised."""
    try:
        return ProviderAnswer(reference=send.call())
    except ProviderError as error:
        return ProviderAnswer(error=error)


def settle_refusal(claim: SendingClaim, send: PreparedSend, error: ProviderError) -> str:
    """Act on a provider's error; returns the status afterwards, or raises DeliveryRetryableError.

    A retryable failure hands the claim back, counts toward the provider's error burst and raises
    DeliveryRetryableError naming the provider; when the provider may have taken the message, the claim is handed
    back keeping the receipt reference (what its receipts carry, when known before its answer) and the error says
    to wait AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS. A rejected recipient is `permanent-failure`; any other refusal the
    provider says will never change is `technical-failure`. An error of no known kind is raised as it is.
    """
    if isinstance(error, InvalidEmailRecipientError):
        return _fail_for_good(claim, S.PERMANENT_FAILURE, "the provider rejected the address", logging.INFO)
    if isinstance(error, ProviderOutcomeUnknownError):
        _await_receipt(claim, error, send.notification_type, receipt_reference=send.receipt_reference)
    if isinstance(error, ProviderRetryableError):
        _give_back(claim, error, send.notification_type)
    if isinstance(error, ProviderPermanentError):
        return _fail_for_good(claim, S.TECHNICAL_FAILURE, f"the provider refused it: {error}", logging.ERROR)
    raise error


def settle_acceptance(claim: SendingClaim, send: PreparedSend, recorded: RecordedAnswer) -> str:
    """After the provider's answer is recorded: timings, the log line, `sent` for an SMS whose network sends no
    receipts, a test key's simulated receipt. Returns the status afterwards."""
    statsd_client = get_statsd_client()
    notification_type, lane, created_at = send.notification_type, send.lane, send.created_at
    statsd_client.timing_with_dates(f"{notification_type}.total-time", recorded.sent_at, created_at)
    statsd_client.timing_with_dates(f"lanes.{lane}.{notification_type}.created-to-sent", recorded.sent_at, created_at)
    logger.info(
        "Notification %s handed to %s",
        claim.notification_id,
        claim.provider,
        extra={"notification_id": claim.notification_id, "service_id": send.service_id, "provider": claim.provider},
    )
    status = recorded.status or dao_get_notification_status_by_id(claim.notification_id)
    if send.is_final_once_accepted:
        # International SMS to a network that sends no receipts: nothing more will ever be known.
        log = ChangeLog(
            "Notification %s is sent: its network sends no delivery receipts",
            (claim.notification_id,),
            fields={"provider": claim.provider},
        )
        updated = change_status(claim.notification_id, S.SENT, only_from=[S.SENDING], log=log)
        if updated is not None:
            status = updated.status
    if send.on_sending is not None and status == S.SENDING:
        send.on_sending()
    return status


def _give_back(claim: SendingClaim, error: ProviderRetryableError, notification_type: str) -> NoReturn:
    release_claim(claim)
    _count_provider_error(claim, notification_type)
    logger.warning(
        "%s could not take notification %s: %s",
        claim.provider,
        claim.notification_id,
        error,
        extra={"notification_id": claim.notification_id, "provider": claim.provider},
    )
    raise DeliveryRetryableError(f"{claim.provider} failed: {error}", failed_provider=claim.provider) from error


def _await_receipt(
    claim: SendingClaim, error: ProviderOutcomeUnknownError, notification_type: str, *, receipt_reference: str | None
) -> NoReturn:
    """The provider may have taken it: hand the claim back to wait for its receipt, then retry elsewhere."""
    is_released = release_claim_to_await_receipt(claim, reference=receipt_reference)
    _count_provider_error(claim, notification_type)
    wait_seconds = current_app.config["AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS"]
    logger.warning(
        "%s may have taken notification %s without answering (%s); %s",
        claim.provider,
        claim.notification_id,
        error,
        f"waiting {wait_seconds} s for its receipt before sending again"
        if is_released
        else "its claim was no longer held (a receipt may have moved it on)",
        extra={"notification_id": claim.notification_id, "provider": claim.provider},
    )
    raise DeliveryRetryableError(
        f"{claim.provider} did not answer: {error}", failed_provider=claim.provider, retry_after_seconds=wait_seconds
    ) from error


def _count_provider_error(claim: SendingClaim, notification_type: str) -> None:
    count_recent_event(EventKind.PROVIDER_ERROR, claim.provider)
    if notification_type == NotificationType.SMS:
        record_sms_provider_error(claim.provider)


def _fail_for_good(claim: SendingClaim, status: NotificationStatus, why: str, level: int) -> str:
    log = ChangeLog(
        "Notification %s is %s: %s",
        (claim.notification_id, status, why),
        level=level,
        fields={"provider": claim.provider},
    )
    updated = change_status(claim.notification_id, status, only_from=[S.SENDING], log=log)
    return updated.status if updated is not None else dao_get_notification_status_by_id(claim.notification_id)


def _active_service(notification: Notification) -> SerialisedService:
    service = service_for_sending(notification.service_id)
    if not service.active:
        _fail_unsendable(
            notification,
            f"Send {notification.notification_type} for notification id {notification.id} to provider is not "
            f"allowed: service {notification.service_id} is inactive",
        )
    return service


def _build_sms(notification: Notification, service: SerialisedService) -> OutgoingSms:
    try:
        return build_outgoing_sms(notification, service, default_sender=current_app.config["FROM_NUMBER"])
    except InvalidRecipientError as error:  # stored before today's rules, or written around the API
        _fail_unsendable(notification, f"Notification {notification.id} has an invalid recipient: {error.message}")
    except UnrenderableNotificationError as error:
        _fail_unrenderable(notification, error)


def _build_email(notification: Notification, service: SerialisedService) -> OutgoingEmail:
    try:
        return build_outgoing_email(notification, service, email_domain=current_app.config["NOTIFY_EMAIL_DOMAIN"])
    except UnrenderableNotificationError as error:
        _fail_unrenderable(notification, error)


def _fail_unrenderable(notification: Notification, error: UnrenderableNotificationError) -> NoReturn:
    _fail_unsendable(notification, f"Notification {notification.id} cannot be rendered: {error}")


def _fail_unsendable(notification: Notification, message: str) -> NoReturn:
    """Nothing will ever make it sendable: `technical-failure` now, never retried. Raises
    NotificationTechnicalFailureException; _NotOursToSendError instead when the notification was not `created` (a
    duplicate task, or a send already under way: whoever holds it decides)."""
    log = ChangeLog("%s", (message,), level=logging.ERROR)
    if change_status(notification.id, S.TECHNICAL_FAILURE, only_from=[S.CREATED], log=log) is None:
        raise _NotOursToSendError
    raise NotificationTechnicalFailureException(message)


class _NotOursToSendError(Exception):
    """The notification cannot be sent, but it is not `created` either: the claim would have refused it anyway."""


def leave_alone(notification_id: uuid.UUID) -> str:
    """Log that the notification is not ours to send; returns its status."""
    status = dao_get_notification_status_by_id(notification_id)
    logger.info(
        "Notification %s is %s: not ours to send",
        notification_id,
        status,
        extra={"notification_id": notification_id, "notification_status": status},
    )
    return status
