"""What happens to a precompiled letter after the 201 (letters.md §3.3): the virus scan, then the PDF checks.

    pending-virus-check --scan: virus--> virus-scan-failed (the upload stays in `scan/`, never served)
                        --scan: clean--> checks --refused--> validation-failed (the upload kept in `invalid/`)
                                                --passed--> created, ready to print (test key: delivered)

A passed letter takes the address read from its PDF as its `to` and personalisation (an international one sets its
postage to `europe` or `rest-of-world`), its sheets as `billable_units`, and its file moves to where printing finds
it. Each
step acts only on a letter still `pending-virus-check` and every status change is guarded, so a repeated or
late task changes nothing (a cancelled letter is never processed). Store and scanner failures raise for the task
to retry; when the retries run out the letter is a `technical-failure`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from flask import current_app

from app.clients.antivirus.clamd import virus_scanner
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.services_dao import dao_list_service_permissions
from app.encryption import encryptor
from app.letters.bounded_check import check_precompiled_pdf_bounded
from app.letters.create_pdf import letter_file_of
from app.letters.pdf_checks import PdfCheck
from app.letters.pdf_store import LetterPdfNotFoundError, LetterPdfStore, letter_pdf_store
from app.letters.queueing import enqueue_sanitise_letter_task
from app.models import KeyType, Notification, ServicePermissionType
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)

PENDING = (NotificationStatus.PENDING_VIRUS_CHECK,)


def _pending_letter(notification_id: uuid.UUID | str, step: str) -> Notification | None:
    notification = dao_get_notification_by_id(notification_id)
    if notification.status != NotificationStatus.PENDING_VIRUS_CHECK:
        logger.info(
            "Letter %s is %s: no %s",
            notification.id,
            notification.status,
            step,
            extra={"notification_id": str(notification.id), "notification_status": notification.status},
        )
        return None
    return notification


def _upload_of(notification: Notification, store: LetterPdfStore) -> bytes | None:
    """The uploaded file; None (and the letter a `technical-failure`) when it is gone."""
    try:
        return store.get(letter_file_of(notification).scan_name)
    except LetterPdfNotFoundError:
        fail_precompiled_letter(notification.id, "its upload is missing")
        return None


def scan_precompiled_letter(notification_id: uuid.UUID | str) -> None:
    """Scan the upload; a clean one is queued for its checks. Raises VirusScanError / LetterPdfStoreError."""
    notification = _pending_letter(notification_id, "virus scan")
    if notification is None:
        return
    pdf = _upload_of(notification, letter_pdf_store(current_app.config))
    if pdf is None:
        return
    result = virus_scanner(current_app.config).scan(pdf)
    if result.is_clean:
        enqueue_sanitise_letter_task(notification.id)
        return
    change_status(
        notification.id,
        NotificationStatus.VIRUS_SCAN_FAILED,
        only_from=PENDING,
        log=ChangeLog(
            "Letter %s: virus found in its PDF",
            (notification.id,),
            level=logging.WARNING,
            fields={"virus": result.virus},
        ),
    )


def sanitise_precompiled_letter(notification_id: uuid.UUID | str) -> None:
    """Check the scanned upload and move the letter on. Raises LetterPdfStoreError (the task retries)."""
    notification = _pending_letter(notification_id, "PDF check")
    if notification is None:
        return
    store = letter_pdf_store(current_app.config)
    pdf = _upload_of(notification, store)
    if pdf is None:
        return
    config = current_app.config
    permissions = dao_list_service_permissions(notification.service_id)
    check = check_precompiled_pdf_bounded(
        pdf,
        can_send_international=ServicePermissionType.INTERNATIONAL_LETTERS in permissions,
        timeout_seconds=config["PRECOMPILED_CHECK_TIMEOUT_SECONDS"],
        memory_bytes=config["PRECOMPILED_CHECK_MEMORY_BYTES"],
    )
    if check.passed:
        _accept(notification, check, pdf, store)
    else:
        _refuse(notification, check, pdf, store)


def _accept(notification: Notification, check: PdfCheck, pdf: bytes, store: LetterPdfStore) -> None:
    address = check.address
    assert address is not None  # a passed check always read one
    upload = letter_file_of(notification)
    postage = address.postage_zone or upload.postage
    to = "\n".join(address.normalised_lines)
    store.put(replace(upload, postage=postage).name, pdf)
    target = NotificationStatus.DELIVERED if notification.key_type == KeyType.TEST else NotificationStatus.CREATED
    changed = change_status(
        notification.id,
        target,
        only_from=PENDING,
        log=ChangeLog(
            "Letter %s PDF passed its checks: %s pages",
            (notification.id, check.page_count),
            fields={"page_count": check.page_count},
        ),
        to=to,
        normalised_to="".join(to.lower().split()),
        _personalisation=encryptor().encrypt_json(address_personalisation(address.normalised_lines)),
        postage=postage,
        international=address.is_international,
        billable_units=check.sheet_count,
    )
    if changed is not None:
        store.delete(upload.scan_name)


def address_personalisation(lines: tuple[str, ...]) -> dict[str, str]:
    """The address read from the PDF as a letter's personalisation: `address_line_<n>` then `postcode` last, so
    GET shows it as it shows a templated letter's."""
    *first_lines, last_line = lines
    return {**{f"address_line_{number}": line for number, line in enumerate(first_lines, 1)}, "postcode": last_line}


def _refuse(notification: Notification, check: PdfCheck, pdf: bytes, store: LetterPdfStore) -> None:
    store.put(letter_file_of(notification).invalid_name, pdf)
    changed = change_status(
        notification.id,
        NotificationStatus.VALIDATION_FAILED,
        only_from=PENDING,
        log=ChangeLog(
            "Letter %s PDF refused: %s",
            (notification.id, check.message),
            level=logging.WARNING,
            fields={"validation_message": check.message, "invalid_pages": list(check.invalid_pages)},
        ),
    )
    if changed is not None:
        store.delete(letter_file_of(notification).scan_name)


def fail_precompiled_letter(notification_id: uuid.UUID | str, why: str) -> None:
    """The scan or the checks could not be done (retries exhausted, upload lost): a `technical-failure`."""
    change_status(
        notification_id,
        NotificationStatus.TECHNICAL_FAILURE,
        only_from=PENDING,
        log=ChangeLog("Letter %s: %s", (notification_id, why), level=logging.ERROR),
    )
