"""Make a templated letter's PDF after the API's 201: render it, store it, record its sheets (letters.md §3.5).

A live letter stays `created`, now with `billable_units` > 0: that is "ready to print", what the print provider's
run picks up (`dao_list_letters_ready_to_print`). A letter over 10 pages is `validation-failed`. A test key's letter
is never printed: with TEST_LETTERS_FAKE_DELIVERY it was `sending` and is now `delivered` (Notify's fake despatch).
Running it twice is harmless: the file is written again, and each status change is guarded.
"""

from __future__ import annotations

import html
import logging
import uuid
from datetime import datetime

from flask import current_app

from app.dao.letters_dao import dao_update_letter_billable_units
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.letters.pdf_render import LetterToPrint, RenderedLetter, render_letter_pdf
from app.letters.pdf_store import LONDON, LetterFile, letter_pdf_store
from app.letters.postal_address import MAX_LINES, MIN_LINES, address_lines_from, parse_postal_address
from app.models import KeyType, Notification, TemplateHistory
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status
from app.templating.letter import fill_contact_block, fill_letter_body, letter_blocks, render_letter_subject

logger = logging.getLogger(__name__)

LETTER_MAX_PAGE_COUNT = 10
# No letter of 10 pages holds more (about 3,000 characters fit on a page): a longer body is refused unrendered.
LETTER_MAX_BODY_CHARACTERS = 60_000
# The statuses a letter may be in while its PDF is made: `created` (live), `sending`/`delivered` (test key).
RENDERABLE_STATUSES = (NotificationStatus.CREATED, NotificationStatus.SENDING, NotificationStatus.DELIVERED)


def printed_date(created_at: datetime) -> str:
    """`5 June 2024`: the London date the letter was sent, without a leading zero."""
    local = created_at.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


def letter_to_print(notification: Notification, template: TemplateHistory) -> LetterToPrint:
    personalisation = notification.personalisation
    raw_lines = address_lines_from(personalisation)
    address = parse_postal_address(raw_lines)
    lines = address.normalised_lines
    if not MIN_LINES <= len(lines) <= MAX_LINES:
        lines = tuple(line for line in raw_lines if line.strip())
    return LetterToPrint(
        address_lines=lines,
        contact_block=fill_contact_block(notification.reply_to_text, personalisation),
        date=printed_date(notification.created_at),
        heading=html.unescape(render_letter_subject(template.subject or "", personalisation)),
        blocks=letter_blocks(fill_letter_body(template.content, personalisation)),
    )


def letter_file_of(notification: Notification) -> LetterFile:
    return LetterFile(
        reference=notification.reference or "",
        postage=notification.postage or "second",
        created_at=notification.created_at,
        key_type=notification.key_type,
    )


def create_letter_pdf(notification_id: uuid.UUID | str) -> None:
    """Render, store and account for one templated letter. Raises LetterPdfStoreError when the store fails (the
    task retries); changes nothing for a letter no longer waiting for its PDF."""
    notification = dao_get_notification_by_id(notification_id)
    if notification.status not in RENDERABLE_STATUSES:
        logger.info(
            "Letter %s is %s: no PDF made",
            notification.id,
            notification.status,
            extra={"notification_id": str(notification.id), "notification_status": notification.status},
        )
        return
    template = dao_get_template_history_by_id_and_version(notification.template_id, notification.template_version)
    letter = letter_to_print(notification, template)
    if sum(len(block.text) for block in letter.blocks) > LETTER_MAX_BODY_CHARACTERS:
        _fail_validation(notification, "its body is too long for 10 pages")
        return
    rendered = render_letter_pdf(letter)
    # Kept even when refused: GET .../pdf then shows the caller what could not be printed, as Notify's does.
    letter_pdf_store(current_app.config).put(letter_file_of(notification).name, rendered.pdf)
    if rendered.page_count > LETTER_MAX_PAGE_COUNT:
        _fail_validation(notification, f"it has {rendered.page_count} pages")
        return
    _record_pdf_made(notification, rendered)


def _record_pdf_made(notification: Notification, rendered: RenderedLetter) -> None:
    fields = {"notification_id": str(notification.id), "service_id": str(notification.service_id)}
    if notification.key_type != KeyType.TEST:
        dao_update_letter_billable_units(notification.id, rendered.sheet_count)
        logger.info(
            "Letter %s PDF made: %s pages, ready to print",
            notification.id,
            rendered.page_count,
            extra={**fields, "page_count": rendered.page_count},
        )
        return
    change_status(
        notification.id,
        NotificationStatus.DELIVERED,
        only_from=[NotificationStatus.SENDING],
        log=ChangeLog("Test letter %s PDF made: delivered (never printed)", (notification.id,)),
    )


def _fail_validation(notification: Notification, why: str) -> None:
    change_status(
        notification.id,
        NotificationStatus.VALIDATION_FAILED,
        log=ChangeLog("Letter %s cannot be printed: %s", (notification.id, why), level=logging.WARNING),
    )


def fail_letter_pdf(notification_id: uuid.UUID | str) -> None:
    """Every attempt to make the PDF failed: the letter is a `technical-failure`."""
    change_status(
        notification_id,
        NotificationStatus.TECHNICAL_FAILURE,
        only_from=[NotificationStatus.CREATED],
        log=ChangeLog("Letter %s: no PDF could be made", (notification_id,), level=logging.ERROR),
    )
