"""Neutralise personalisation a service does not trust (`sanitise_content_for`): drop links, escape markdown.

For each listed key: web addresses are removed (a bare domain such as `evil.com` stays, defanged to `evil. com`,
so the reader still sees what was written), then every markdown-significant character is backslash-escaped so
the value renders as the literal text it is. Only string values (and the strings in list values) change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.templating.placeholders import placeholder_key
from app.templating.urls import find_urls

MARKDOWN_CHARACTERS_TO_ESCAPE = "`*_()\\{}[]<>#+-.!|"

_MARKDOWN_CHARACTER = re.compile(f"[{re.escape(MARKDOWN_CHARACTERS_TO_ESCAPE)}]")
_BARE_DOMAIN = re.compile(r"[A-Za-z0-9.-]+")


def remove_urls(text: str) -> str:
    """Delete each web address in `text`, except bare domains, which get a space after each dot."""
    pieces: list[str] = []
    position = 0
    for start, end in find_urls(text):
        pieces.append(text[position:start])
        url = text[start:end]
        if _BARE_DOMAIN.fullmatch(url):
            pieces.append(url.replace(".", ". "))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def escape_markdown(text: str) -> str:
    return _MARKDOWN_CHARACTER.sub(lambda match: "\\" + match.group(0), text)


def sanitise_text(text: str) -> str:
    return escape_markdown(remove_urls(text))


def sanitise_value(value: Any) -> Any:
    """Sanitise a string, or each string in a list; return any other value unchanged."""
    if isinstance(value, str):
        return sanitise_text(value)
    if isinstance(value, list):
        return [sanitise_value(item) if isinstance(item, str) else item for item in value]
    return value


def sanitise_personalisation(
    personalisation: Mapping[str, Any] | None, keys: Iterable[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Return the personalisation with the listed keys sanitised, and what changed.

    Keys are matched the way placeholders are (case, spaces, `_` and `-` ignored). The second dict holds only the
    keys whose value changed: `{key: {"unsanitised": old, "sanitised": new}}`. The input is not modified.
    """
    wanted = {placeholder_key(key) for key in keys}
    sanitised_personalisation = dict(personalisation or {})
    changes: dict[str, dict[str, Any]] = {}
    for key, value in sanitised_personalisation.items():
        if placeholder_key(key) not in wanted:
            continue
        sanitised = sanitise_value(value)
        if sanitised != value:
            sanitised_personalisation[key] = sanitised
            changes[key] = {"unsanitised": value, "sanitised": sanitised}
    return sanitised_personalisation, changes
