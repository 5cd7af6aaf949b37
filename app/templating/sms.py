"""Render an SMS template: fill it, tidy its whitespace, prefix the service name, and count characters and fragments.

Fragments (what providers bill): a GSM-7 message of up to 160 septets is one fragment, a longer one is split
into parts of 153; a unicode message of up to 70 code units is one fragment, a longer one parts of 67. An empty
message is 0 fragments. Characters that have a GSM lookalike (curly quotes, dashes, odd spaces) are sent as the
lookalike and do not make a message unicode; any other character outside GSM-7 does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.templating.gsm import count_encoded_units, downgrade_lookalikes, is_gsm_encodable
from app.templating.placeholders import fill_placeholders

SMS_CHARACTER_LIMIT = 918  # 6 × 153: six concatenated GSM-7 parts; measured without the service-name prefix

GSM_SINGLE_MESSAGE_LENGTH = 160
GSM_PART_LENGTH = 153
UNICODE_SINGLE_MESSAGE_LENGTH = 70
UNICODE_PART_LENGTH = 67

_MORE_THAN_ONE_BLANK_LINE = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedSms:
    """The text to send (prefix included) and its counts; `character_count` leaves the prefix out."""

    body: str
    character_count: int
    fragment_count: int
    is_unicode: bool


def is_unicode(text: str) -> bool:
    """Whether `text` must be sent as unicode, once lookalike characters are downgraded."""
    return not is_gsm_encodable(downgrade_lookalikes(text))


def character_count(text: str) -> int:
    """Count the places `text` takes in a message after downgrading lookalikes (extension characters count 2)."""
    downgraded = downgrade_lookalikes(text)
    return count_encoded_units(downgraded, is_unicode=not is_gsm_encodable(downgraded))


def fragments_for(unit_count: int, *, is_unicode: bool) -> int:
    """Return how many fragments a message of `unit_count` septets (or UTF-16 code units if unicode) needs."""
    if unit_count == 0:
        return 0
    single_length, part_length = (
        (UNICODE_SINGLE_MESSAGE_LENGTH, UNICODE_PART_LENGTH)
        if is_unicode
        else (GSM_SINGLE_MESSAGE_LENGTH, GSM_PART_LENGTH)
    )
    if unit_count <= single_length:
        return 1
    return math.ceil(unit_count / part_length)


def fragment_count(text: str) -> int:
    """Return how many fragments `text` is billed as (see the module docstring); 0 for an empty text."""
    return fragments_for(character_count(text), is_unicode=is_unicode(text))


def normalise_sms_whitespace(text: str) -> str:
    """Tidy whitespace: runs of spaces become one, lines are stripped, at most one blank line in a row, no
    whitespace at either end. Also downgrades lookalike characters (odd spaces become plain ones)."""
    lines = (" ".join(line.split()) for line in downgrade_lookalikes(text).splitlines())
    return _MORE_THAN_ONE_BLANK_LINE.sub("\n\n", "\n".join(lines)).strip()


def render_sms(content: str, personalisation: Mapping[str, Any] | None, *, prefix: str | None = None) -> RenderedSms:
    """Fill `content` and tidy it; put `"<prefix>: "` in front when a prefix is given.

    Lists in personalisation are written `a, b and c`. Placeholders without a value are left as they are
    (check `missing_placeholders` first). The unicode decision covers the whole message, prefix included.
    """
    content_text = normalise_sms_whitespace(fill_placeholders(content, personalisation))
    prefix_text = normalise_sms_whitespace(prefix or "")
    body = f"{prefix_text}: {content_text}".rstrip() if prefix_text else content_text
    message_is_unicode = not is_gsm_encodable(body)
    message_units = count_encoded_units(body, is_unicode=message_is_unicode)
    return RenderedSms(
        body=body,
        character_count=count_encoded_units(content_text, is_unicode=message_is_unicode),
        fragment_count=fragments_for(message_units, is_unicode=message_is_unicode),
        is_unicode=message_is_unicode,
    )


def is_sms_too_long(character_count: int) -> bool:
    return character_count > SMS_CHARACTER_LIMIT


def sms_too_long_message(character_count: int) -> str:
    return (
        f"Your message is too long. Text messages cannot be longer than {SMS_CHARACTER_LIMIT} characters. "
        f"Your message is {character_count} characters long."
    )
