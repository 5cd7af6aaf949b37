"""Check personalisation values before anything fills, sanitises or measures a template with them.

A value is text, a number, true or false (written as GOV.UK Notify writes them: `5`, `1.5`, `True`), null (the
same as absent), a list of those (a bullet list in an email, `a, b and c` in a text message), or for an email a
file to send (`file_uploads.py`), replaced by its download link before anything fills a template. Any other
object, and a list holding objects or lists, is refused: it is never written into a message as Python's text for it.

The text of all keys and values together is at most PERSONALISATION_CHARACTER_LIMIT characters (twice the longest
email body, so values a message can use are refused only by the message limits), so sanitising costs at most that
much; file contents are bounded on their own.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from app.errors import BadRequestError
from app.models import NotificationType
from app.notifications.file_uploads import (
    FILE_ONLY_BY_EMAIL,
    ParsedFile,
    check_service_can_send_files,
    is_file_value,
    parse_file_value,
)
from app.templating.email import EMAIL_BODY_BYTE_LIMIT

PERSONALISATION_CHARACTER_LIMIT = 2 * EMAIL_BODY_BYTE_LIMIT
MAX_SHOWN_KEY_LENGTH = 50

_SCALAR_TYPES = (str, int, float, bool)


def check_personalisation(
    personalisation: Mapping[str, Any],
    notification_type: str,
    *,
    service_id: uuid.UUID,
    contact_link: str | None,
    admin_base_url: str,
) -> dict[str, ParsedFile]:
    """Raise BadRequestError when a value has a type that cannot be written into a message, or is a file that breaks
    a rule (Notify's messages: a file breaking a rule, `Can only send a file by email`, and for a service without a
    contact link `Send files by email has not been set up - …`). Return the files by their personalisation key.
    Costs time in proportion to the personalisation; reads no text in it."""
    file_keys = [key for key, value in personalisation.items() if is_file_value(value)]
    for key, value in personalisation.items():
        if not is_file_value(value):
            _check_value_type(key, value)
    if not file_keys:
        return {}
    if notification_type != NotificationType.EMAIL:
        raise BadRequestError(FILE_ONLY_BY_EMAIL)
    files = {key: parse_file_value(personalisation[key]) for key in file_keys}
    check_service_can_send_files(service_id, contact_link, admin_base_url)
    return files


def check_personalisation_size(personalisation: Mapping[str, Any]) -> None:
    """Checked after the filled size (so a long value the template uses gets Notify's too-long message) and before
    sanitising; the limit is above any value a sendable email can use."""
    character_count = personalisation_character_count(personalisation)
    if character_count > PERSONALISATION_CHARACTER_LIMIT:
        raise BadRequestError(
            f"Personalisation is too long. Personalisation cannot be longer than {PERSONALISATION_CHARACTER_LIMIT} "
            f"characters. Your personalisation is {character_count} characters long."
        )


def personalisation_character_count(personalisation: Mapping[str, Any]) -> int:
    """Characters of every key and text value (numbers as written); file values count only their small fields."""
    count = 0
    for key, value in personalisation.items():
        count += len(key)
        if is_file_value(value):
            count += sum(_text_length(field) for name, field in value.items() if name != "file")
        elif isinstance(value, list):
            count += sum(_text_length(item) for item in value)
        else:
            count += _text_length(value)
    return count


def _text_length(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if value is None or isinstance(value, bool):
        return 5
    if isinstance(value, int | float):
        return len(str(value))
    return len(str(type(value)))


def _check_value_type(key: str, value: Any) -> None:
    shown_key = key if len(key) <= MAX_SHOWN_KEY_LENGTH else key[:MAX_SHOWN_KEY_LENGTH] + "…"
    texts = [key, *(value if isinstance(value, list) else [value])]
    # A NUL cannot be stored in PostgreSQL text and means nothing in a text message or an email.
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise BadRequestError(f"personalisation {shown_key!r} must not contain the NUL character")
    if value is None or isinstance(value, _SCALAR_TYPES):
        return
    if isinstance(value, list) and all(item is None or isinstance(item, _SCALAR_TYPES) for item in value):
        return
    raise BadRequestError(
        f"personalisation {shown_key} must be text, a number, true or false, null or a list of those "
        "(an object is accepted only as a file to send by email)"
    )
