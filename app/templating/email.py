"""Render an email template: a one-line subject, and a body in Notify-flavoured markdown as HTML and plain text.

Personalisation is inserted into the markdown (a list becomes a bullet list) before it is parsed, so values may
use markdown as Notify allows; services that do not trust a value sanitise it first (`sanitise.py`). HTML is
escaped when the HTML is written, so values can never add markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.templating.email_html import render_html_document
from app.templating.email_markdown import parse_markdown
from app.templating.email_plain_text import render_plain_text
from app.templating.placeholders import fill_placeholders

EMAIL_BODY_BYTE_LIMIT = 2_000_000  # UTF-8 bytes of the filled body, well inside SES's 10 MB message cap

_ZERO_WIDTH_CHARACTERS = re.compile("[\u180e\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class RenderedEmail:
    """An email ready to send. `body` is the filled markdown: what the API returns as `content.body` and what
    the byte limit measures."""

    subject: str
    plain_text: str
    html: str
    body: str

    @property
    def body_byte_count(self) -> int:
        return email_body_byte_count(self.body)


def render_email_subject(subject: str, personalisation: Mapping[str, Any] | None) -> str:
    """Fill the subject and make it one line: every run of whitespace becomes one space."""
    filled = fill_placeholders(subject, personalisation)
    return " ".join(_ZERO_WIDTH_CHARACTERS.sub("", filled).split())


def fill_email_body(content: str, personalisation: Mapping[str, Any] | None) -> str:
    return fill_placeholders(content, personalisation, markdown_lists=True)


def render_email(subject: str, content: str, personalisation: Mapping[str, Any] | None) -> RenderedEmail:
    """Fill and render an email. Placeholders without a value are left as written (check them first)."""
    rendered_subject = render_email_subject(subject, personalisation)
    body = fill_email_body(content, personalisation)
    blocks = parse_markdown(body)
    return RenderedEmail(
        subject=rendered_subject,
        plain_text=render_plain_text(blocks),
        html=render_html_document(blocks, title=rendered_subject),
        body=body,
    )


def email_body_byte_count(body: str) -> int:
    return len(body.encode("utf-8"))


def is_email_too_long(byte_count: int) -> bool:
    return byte_count > EMAIL_BODY_BYTE_LIMIT


def email_too_long_message(byte_count: int) -> str:
    return (
        f"Your message is too long. Emails cannot be longer than {EMAIL_BODY_BYTE_LIMIT} bytes. "
        f"Your message is {byte_count} bytes."
    )
