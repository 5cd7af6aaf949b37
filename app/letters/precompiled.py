"""Precompiled (PDF) letters on `POST /v2/notifications/letter`: the seam where that branch plugs in (letters.md §3).

A request whose JSON has a top-level `content` key is a precompiled letter. Its body is checked here against
Notify's `post_precompiled_letter_request` schema and its base64 decoded (leniently, as Notify does). What comes
after (the hidden template, the `pending-virus-check` row, the upload, the virus scan and the sanitiser) is not
built yet: until it is, a well-formed precompiled letter is refused with PRECOMPILED_UNAVAILABLE_MESSAGE, after every
check Notify makes before storing, so a client sees the same errors it would see from Notify.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft7Validator

from app.errors import BadRequestError, ValidationError
from app.letters.send_letter import check_key_can_send_letters
from app.limits.admission import SendAllowance
from app.models import NotificationType
from app.notifications import validators
from app.notifications.prepare_notification import ApiCaller
from app.v2.request_validation import violation_message

INVALID_BASE64_MESSAGE = "Cannot decode letter content (invalid base64 encoding)"
POSTAGE_MESSAGE = "postage invalid. It must be either first, second or economy."
PRECOMPILED_UNAVAILABLE_MESSAGE = "Precompiled letters are not available on this service yet"
# Notify's letter specification allows 2 MB; its Node client refuses files over 5 MB. Anything bigger is refused
# before it is decoded (base64 is 4/3 the size of the file).
MAX_CONTENT_CHARACTERS = 5 * 1024 * 1024 * 4 // 3 + 4

POST_PRECOMPILED_LETTER_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "POST v2/notifications/letter (precompiled)",
    "type": "object",
    "properties": {
        "reference": {"type": "string"},
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
_VALIDATOR = Draft7Validator(POST_PRECOMPILED_LETTER_REQUEST)


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
    return violation_message(violation)


def decoded_pdf(content: str) -> bytes:
    """Decode as Notify does: characters outside the alphabet are skipped; only padding or length errors fail."""
    try:
        return base64.b64decode(content)
    except (binascii.Error, ValueError) as error:
        raise BadRequestError(INVALID_BASE64_MESSAGE) from error


def send_precompiled_letter(body: Any, caller: ApiCaller, allowance: SendAllowance) -> dict[str, Any]:
    """Check a precompiled letter as Notify does before storing it (schema, permission `letter`, key type, base64),
    then store and queue it; returns the 201 answer `{"id", "reference", "postage"}`.

    The storing part belongs to the precompiled-letters work: until then this raises BadRequestError
    (PRECOMPILED_UNAVAILABLE_MESSAGE) once every earlier check has passed, and ``allowance`` is not kept.
    """
    request = validate_precompiled_letter_request(body)
    validators.check_service_can_send(caller.service, NotificationType.LETTER)
    check_key_can_send_letters(caller)
    decoded_pdf(request.content)
    raise BadRequestError(PRECOMPILED_UNAVAILABLE_MESSAGE)
