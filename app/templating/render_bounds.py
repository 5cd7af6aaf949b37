"""The size limits a template and its personalisation must keep before anything renders them.

Rendering costs time in proportion to the filled text, so the filled size is measured first, without filling
(`filled_size.py`), and a message over the limit is refused with GOV.UK Notify's words before any work:
- an email body (and subject) at most EMAIL_BODY_BYTE_LIMIT bytes of UTF-8 once filled, exactly the body Notify
  measures;
- a text message at most SMS_FILLED_CHARACTER_LIMIT characters once filled, before its whitespace is tidied. The
  918-character limit itself is checked on the tidied text, which is cheap once this bound holds.
Template content is limited when the template is saved (`template_content_problem`), as Notify does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.models import TemplateType
from app.templating.email import EMAIL_BODY_BYTE_LIMIT, email_too_long_message
from app.templating.filled_size import filled_size, utf8_length
from app.templating.sms import SMS_CHARACTER_LIMIT, render_sms, sms_too_long_message

# A text message's filled text before tidying: far above any 918-character message with its spacing, and small
# enough that tidying and counting it is cheap.
SMS_FILLED_CHARACTER_LIMIT = 100_000
SMS_CONTENT_TOO_LONG = f"Content has a character count greater than the limit of {SMS_CHARACTER_LIMIT}"
EMAIL_CONTENT_TOO_LONG = f"Content has a size greater than the limit of {EMAIL_BODY_BYTE_LIMIT} bytes"
SUBJECT_TOO_LONG = f"Subject has a size greater than the limit of {EMAIL_BODY_BYTE_LIMIT} bytes"


def size_problem_before_rendering(
    template_type: str, content: str, subject: str | None, personalisation: Mapping[str, Any] | None
) -> str | None:
    """Notify's too-long message when the filled template would be over its limit, else None. Fills nothing."""
    if template_type == TemplateType.SMS:
        character_count = filled_size(content, personalisation)
        if character_count > SMS_FILLED_CHARACTER_LIMIT:
            return sms_too_long_message(character_count)
        return None
    for text, markdown_lists in ((content, True), (subject or "", False)):
        byte_count = filled_size(text, personalisation, measure=utf8_length, markdown_lists=markdown_lists)
        if byte_count > EMAIL_BODY_BYTE_LIMIT:
            return email_too_long_message(byte_count)
    return None


def template_content_problem(template_type: str, content: str, subject: str | None) -> dict[str, list[str]] | None:
    """The admin API's field errors for a template too long to save, else None. Lengths are checked before counting."""
    if template_type == TemplateType.SMS:
        if len(content) > SMS_FILLED_CHARACTER_LIMIT or render_sms(content, {}).character_count > SMS_CHARACTER_LIMIT:
            return {"content": [SMS_CONTENT_TOO_LONG]}
        return None
    if len(content) > EMAIL_BODY_BYTE_LIMIT or utf8_length(content) > EMAIL_BODY_BYTE_LIMIT:
        return {"content": [EMAIL_CONTENT_TOO_LONG]}
    if subject is not None and (len(subject) > EMAIL_BODY_BYTE_LIMIT or utf8_length(subject) > EMAIL_BODY_BYTE_LIMIT):
        return {"subject": [SUBJECT_TOO_LONG]}
    return None
