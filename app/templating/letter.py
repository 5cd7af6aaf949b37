"""Letters' text: the filled body and heading the API shows, and the body parsed into Notify's letter Markdown
blocks for printing (letters.md §2.5, §7.5).

Letter Markdown: `#` is a heading (deeper ones are plain paragraphs), `•`/`*`/`-` bullets and `1.` numbered lists,
a rule (`***`, `---`) starts a new page. Links print as their text without `http(s)://`; emphasis and other marks
are printed as written. Parsing is one pass over the lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.templating.placeholders import fill_placeholders

_WHITESPACE_RUN = re.compile(r"\s+")
_OPENING_DOUBLE = re.compile(r'(^|[\s(\[{])"')
_OPENING_SINGLE = re.compile(r"(^|[\s(\[{])'")
_SPACED_HYPHEN = re.compile(r"(?<=\s)-(?=\s)")
_HEADING = re.compile(r"#\s*(?!#)(.*)")
_DEEPER_HEADING = re.compile(r"#{2,}\s*(.*)")
_BULLET = re.compile(r"[•*\-]\s+(.*)")
_NUMBERED = re.compile(r"(\d{1,9})\.\s+(.*)")
_RULE = re.compile(r"(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,}")
_SCHEME = re.compile(r"https?://", re.IGNORECASE)


def fill_letter_body(content: str, personalisation: Mapping[str, Any] | None) -> str:
    """The body as the API shows it: placeholders filled (lists as Markdown bullets), trimmed, not rendered."""
    return fill_placeholders(content, personalisation, markdown_lists=True).strip()


def nice_typography(text: str) -> str:
    """Smart quotes and an en dash for a hyphen with a space each side, as Notify prints them."""
    text = _OPENING_DOUBLE.sub("\\1\u201c", text).replace('"', "\u201d")
    text = _OPENING_SINGLE.sub("\\1\u2018", text).replace("'", "\u2019")
    return _SPACED_HYPHEN.sub("\u2013", text)


def render_letter_subject(subject: str, personalisation: Mapping[str, Any] | None) -> str:
    """The heading as the API shows it: values HTML-escaped, nice typography, whitespace made single spaces."""
    filled = fill_placeholders(subject, personalisation, escape_html=True)
    return _WHITESPACE_RUN.sub(" ", nice_typography(filled)).strip()


def fill_contact_block(contact_block: str | None, personalisation: Mapping[str, Any] | None) -> str | None:
    return None if contact_block is None else fill_placeholders(contact_block, personalisation)


@dataclass(frozen=True)
class LetterBlock:
    """One printed block: `paragraph`, `heading`, `bullet`, `numbered` (with its ``number``) or `page_break`."""

    kind: str
    text: str = ""
    number: str = ""


def _printed_text(line: str) -> str:
    return nice_typography(_SCHEME.sub("", line.strip()))


def letter_blocks(body: str) -> list[LetterBlock]:
    """Parse a filled letter body into blocks; consecutive plain lines join into one paragraph."""
    blocks: list[LetterBlock] = []
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(LetterBlock("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw_line in body.splitlines():
        line = raw_line.strip()
        if not line:
            end_paragraph()
            continue
        block = _block_for(line)
        if block is None:
            paragraph.append(_printed_text(line))
            continue
        end_paragraph()
        blocks.append(block)
    end_paragraph()
    return blocks


def _block_for(line: str) -> LetterBlock | None:
    if _RULE.fullmatch(line):
        return LetterBlock("page_break")
    if match := _DEEPER_HEADING.fullmatch(line):
        return LetterBlock("paragraph", _printed_text(match.group(1)))
    if match := _HEADING.fullmatch(line):
        return LetterBlock("heading", _printed_text(match.group(1)))
    if match := _BULLET.fullmatch(line):
        return LetterBlock("bullet", _printed_text(match.group(1)))
    if match := _NUMBERED.fullmatch(line):
        return LetterBlock("numbered", _printed_text(match.group(2)), number=match.group(1))
    return None


def unescaped(text: str) -> str:
    """A heading HTML-escaped for the API, as plain text for print."""
    return html.unescape(text)
