"""Hand one letter to the print provider (letters.md §5.4 `deliver_letter`): claim it, read its PDF, send it, record
the answer.

The claim is the SMS and email claim protocol (`delivery/claims.py`): `created -> sending` in one guarded UPDATE, so
of two workers (two print runs queued it, or the broker redelivered) only one calls the provider. A worker that dies
holding a claim leaves it unanswered; after SENDING_CLAIM_LEASE_SECONDS the safety net hands it back and queues it
again (`delivery/safety_nets.py`). Sending a letter twice is harmless: the provider answers 409 to a job id it has.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from flask import current_app

from app.clients.errors import ProviderPermanentError, ProviderRetryableError
from app.clients.letter.print_job import LetterPrintJob
from app.dao.notifications_dao import dao_get_notification_by_id
from app.delivery.claims import SendingClaim, claim_notification_for_sending, record_provider_answer, release_claim
from app.extensions import db
from app.letters.create_pdf import letter_file_of
from app.letters.despatch_token import despatch_token
from app.letters.pdf_store import LetterPdfNotFoundError, LetterPdfStoreError, letter_pdf_store
from app.letters.postal_address import address_lines_from, parse_postal_address
from app.letters.print_client import print_client
from app.models import KeyType, Notification, NotificationType
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)

PRINT_PROVIDER = "dvla"


class LetterPrintRetryableError(Exception):
    """The letter was not handed over this time (claim given back); a later attempt may work."""


def send_letter_to_print(notification_id: uuid.UUID | str) -> None:
    """Send one ready letter to print. Changes nothing unless it is a live letter, `created`, with its PDF made, that
    this call claims. Raises NoResultFound or LetterPrintRetryableError; a refused letter or a lost PDF becomes a
    `technical-failure`."""
    notification = dao_get_notification_by_id(notification_id)
    if not _is_ready_to_print(notification):
        _log_left_alone(notification)
        return
    claim = claim_notification_for_sending(
        notification.id, provider=PRINT_PROVIDER, billable_units=notification.billable_units
    )
    if claim is None:
        _log_left_alone(notification)
        return
    file_name = letter_file_of(notification).name
    job = _print_job(notification)
    db.session.remove()  # no connection is held while the store and the provider take their time
    pdf = _read_pdf(claim, file_name)
    if pdf is not None:
        _hand_over(claim, replace(job, pdf=pdf))


def _is_ready_to_print(notification: Notification) -> bool:
    return (
        notification.notification_type == NotificationType.LETTER
        and notification.status == NotificationStatus.CREATED
        and notification.key_type == KeyType.NORMAL
        and notification.billable_units > 0
    )


def _log_left_alone(notification: Notification) -> None:
    logger.info(
        "Letter %s is %s: not ours to print",
        notification.id,
        notification.status,
        extra={"notification_id": str(notification.id), "notification_status": notification.status},
    )


def _read_pdf(claim: SendingClaim, file_name: str) -> bytes | None:
    """The letter's PDF; None when it is gone (the letter is then a technical-failure)."""
    try:
        return letter_pdf_store(current_app.config).get(file_name)
    except LetterPdfNotFoundError:
        _fail(claim, "its PDF is missing")
        return None
    except LetterPdfStoreError as error:
        release_claim(claim)
        raise LetterPrintRetryableError(f"letter PDF store failed: {error}") from error


def _print_job(notification: Notification) -> LetterPrintJob:
    """The letter as the provider takes it, but for its PDF (read once no database connection is held)."""
    token = despatch_token(current_app.config["SECRET_KEY"], notification.id)
    return LetterPrintJob(
        notification_id=notification.id,
        reference=notification.reference or "",
        address=parse_postal_address(address_lines_from(notification.personalisation)),
        postage=notification.postage or "second",
        pdf=b"",
        service_id=notification.service_id,
        callback_url=f"{current_app.config['API_HOST_NAME']}/notifications/letter/status?token={token}",
    )


def _hand_over(claim: SendingClaim, job: LetterPrintJob) -> None:
    try:
        print_client().send_letter(job)
    except ProviderPermanentError as error:
        _fail(claim, f"the print provider refused it ({error.code})")
        return
    except ProviderRetryableError as error:
        release_claim(claim)
        raise LetterPrintRetryableError(str(error)) from error
    record_provider_answer(claim, reference=job.reference)
    logger.info(
        "Letter %s sent to print",
        claim.notification_id,
        extra={"notification_id": str(claim.notification_id), "provider": PRINT_PROVIDER},
    )


def _fail(claim: SendingClaim, why: str) -> None:
    change_status(
        claim.notification_id,
        NotificationStatus.TECHNICAL_FAILURE,
        only_from=[NotificationStatus.SENDING],
        log=ChangeLog("Letter %s cannot be printed: %s", (claim.notification_id, why), level=logging.ERROR),
    )


def fail_letter_after_last_retry(notification_id: uuid.UUID | str) -> None:
    """Every attempt to hand the letter over failed: it is a `technical-failure` (only from `created`: a letter
    another worker holds or has sent is not ours to fail)."""
    change_status(
        notification_id,
        NotificationStatus.TECHNICAL_FAILURE,
        only_from=[NotificationStatus.CREATED],
        log=ChangeLog(
            "Letter %s could not be sent to print after every retry", (notification_id,), level=logging.ERROR
        ),
    )
