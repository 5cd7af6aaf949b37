"""Precompiled (PDF) letters on `POST /v2/notifications/letter` (letters.md §1, §3.1, §3.2).

A request whose JSON has a top-level `content` key is a precompiled letter. Checked in Notify's order: its schema,
permission `letter`, the hidden template (made on first use), the key type, the base64. Then stored: the upload
goes to the PDF store's `scan/` folder first, then the `pending-virus-check` row is committed, then the virus scan
is queued. A failed upload stores nothing (500); a failed INSERT deletes the upload; a failed enqueue deletes the
row and the upload (500), so nothing half-stored remains. A process that dies after the commit leaves a
`pending-virus-check` letter that the safety net queues for its scan again (`rescan-pending-precompiled-letters`).
The PDF itself is not looked at here: an invalid one ends `validation-failed` (letters.md §3.3).
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from flask import current_app
from jsonschema import Draft7Validator

from app.clock import utc_now
from app.dao.notifications_dao import dao_create_notification_autocommit, dao_delete_notification_by_id
from app.dao.precompiled_letters_dao import dao_get_or_create_precompiled_letter_template
from app.errors import BadRequestError, ValidationError
from app.letters.create_pdf import letter_file_of
from app.letters.pdf_store import letter_pdf_store
from app.letters.queueing import enqueue_virus_scan_task
from app.letters.send_letter import check_key_can_send_letters, create_letter_reference
from app.limits.admission import SendAllowance
from app.models import Notification, NotificationType, Template
from app.notification_status import NotificationStatus
from app.notifications import validators
from app.notifications.prepare_notification import ApiCaller
from app.v2.notifications.schemas import FORMAT_CHECKER, MAX_REFERENCE_LENGTH, send_violation_message

INVALID_BASE64_MESSAGE = "Cannot decode letter content (invalid base64 encoding)"
POSTAGE_MESSAGE = "postage invalid. It must be either first, second or economy."
PLACEHOLDER_ADDRESS = "Provided as PDF"
# Notify's letter specification allows 2 MB; its Node client refuses files over 5 MB. Anything bigger is refused
# before it is decoded (base64 is 4/3 the size of the file).
MAX_CONTENT_CHARACTERS = 5 * 1024 * 1024 * 4 // 3 + 4
CONTENT_TOO_LARGE_MESSAGE = "content is too large: the PDF can be at most 5 MB"

POST_PRECOMPILED_LETTER_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "POST v2/notifications/letter (precompiled)",
    "type": "object",
    "properties": {
        # Notify sets no limit; the column holds 1000 characters, as for every other send.
        "reference": {"type": "string", "maxLength": MAX_REFERENCE_LENGTH, "format": "text_without_nul"},
        "content": {"type": "string", "maxLength": MAX_CONTENT_CHARACTERS},
        "postage": {
            "type": "string",
            "enum": ["first", "second", "economy"],
            "validationMessage": POSTAGE_MESSAGE,
        },
    },
    "required": ["reference", "content"],
    "additionalProperties": False,
}
logger = logging.getLogger(__name__)
_VALIDATOR = Draft7Validator(POST_PRECOMPILED_LETTER_REQUEST, format_checker=FORMAT_CHECKER)


@dataclass(frozen=True)
class PrecompiledLetterRequest:
    reference: str
    content: str  # base64, decoded only once the permission and key checks pass
    postage: str


def is_precompiled_letter_request(body: Any) -> bool:
    return isinstance(body, dict) and "content" in body


def validate_precompiled_letter_request(body: Any) -> PrecompiledLetterRequest:
    """Raise ValidationError with every schema violation, in Notify's words."""
    violations = list(_VALIDATOR.iter_errors(body))
    if violations:
        raise ValidationError([_message(violation) for violation in violations])
    return PrecompiledLetterRequest(
        reference=body["reference"], content=body["content"], postage=body.get("postage", "second")
    )


def _message(violation: Any) -> str:
    if violation.path and violation.path[0] == "postage" and violation.validator == "enum":
        return POSTAGE_MESSAGE
    if violation.path and violation.path[0] == "content" and violation.validator == "maxLength":
        return CONTENT_TOO_LARGE_MESSAGE  # never the content itself, as jsonschema's own message would
    return send_violation_message(violation)


def decoded_pdf(content: str) -> bytes:
    """Decode as Notify does: characters outside the alphabet are skipped; only padding or length errors fail."""
    try:
        return base64.b64decode(content)
    except (binascii.Error, ValueError) as error:
        raise BadRequestError(INVALID_BASE64_MESSAGE) from error


def send_precompiled_letter(body: Any, caller: ApiCaller, allowance: SendAllowance) -> dict[str, Any]:
    """Check a precompiled letter as Notify does before storing it (schema, permission `letter`, the hidden
    template, key type, base64), store it and queue its virus scan; returns the 201 answer
    `{"id", "reference", "postage"}`. Raises BadRequestError (403 for the key checks) or ValidationError; the
    store's and the broker's errors propagate (a 500) with nothing left stored."""
    request = validate_precompiled_letter_request(body)
    validators.check_service_can_send(caller.service, NotificationType.LETTER)
    template = dao_get_or_create_precompiled_letter_template(caller.service.id)
    check_key_can_send_letters(caller)
    pdf = decoded_pdf(request.content)
    notification = _new_precompiled_letter(request, caller, template)
    _store_and_queue(notification, pdf)
    allowance.keep()
    logger.info(
        "Accepted precompiled letter %s for service %s",
        notification.id,
        caller.service.id,
        extra={"notification_id": str(notification.id), "service_id": str(caller.service.id), "size": len(pdf)},
    )
    return {"id": str(notification.id), "reference": request.reference, "postage": request.postage}


def _new_precompiled_letter(request: PrecompiledLetterRequest, caller: ApiCaller, template: Template) -> Notification:
    now = utc_now()
    notification = Notification(
        id=uuid.uuid4(),
        to=PLACEHOLDER_ADDRESS,
        normalised_to=PLACEHOLDER_ADDRESS.lower().replace(" ", ""),
        service_id=caller.service.id,
        template_id=template.id,
        template_version=template.version,
        api_key_id=caller.api_key_id,
        key_type=caller.key_type,
        billable_units=0,
        notification_type=NotificationType.LETTER,
        created_at=now,
        updated_at=now,
        status=NotificationStatus.PENDING_VIRUS_CHECK,
        reference=create_letter_reference(),
        postage=request.postage,
        client_reference=request.reference,
        international=False,
    )
    notification.personalisation = {"address_line_1": PLACEHOLDER_ADDRESS}
    return notification


def _store_and_queue(notification: Notification, pdf: bytes) -> None:
    store = letter_pdf_store(current_app.config)
    upload_name = letter_file_of(notification).scan_name
    store.put(upload_name, pdf)
    try:
        dao_create_notification_autocommit(notification)
    except Exception:
        store.delete(upload_name)
        raise
    try:
        enqueue_virus_scan_task(notification.id)
    except Exception:
        dao_delete_notification_by_id(notification.id)
        store.delete(upload_name)
        logger.exception(
            "Could not queue the virus scan of letter %s; deleted it",
            notification.id,
            extra={"notification_id": str(notification.id)},
        )
        raise
