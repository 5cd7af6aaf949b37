"""Measure a template as it will be once filled, without filling it, so a size limit is checked before any work.

A template that uses one placeholder many times multiplies its value: `((a))` written 10,000 times with a 1 MB
value would fill to 10 GB. Here each distinct value is formatted and measured once, and each occurrence adds that
size, so measuring costs time in proportion to the template and the personalisation, however large the result
would be. The sizes are exactly those of `fill_placeholders` with the same options.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.templating.placeholders import (
    PLACEHOLDER_PATTERN,
    format_value,
    is_truthy,
    parse_placeholder,
    values_by_key,
)

Measure = Callable[[str], int]


def character_length(text: str) -> int:
    return len(text)


def utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def filled_size(
    text: str,
    personalisation: Mapping[str, Any] | None,
    *,
    measure: Measure = character_length,
    markdown_lists: bool = False,
) -> int:
    """The `measure` (characters, or UTF-8 bytes with `utf8_length`) of `fill_placeholders(text, ...)`."""
    values = values_by_key(personalisation)
    value_sizes: dict[str, int] = {}
    size = 0
    position = 0
    for match in PLACEHOLDER_PATTERN.finditer(text):
        size += measure(text[position : match.start()])
        position = match.end()
        placeholder = parse_placeholder(match.group(1))
        value = values.get(placeholder.key) if placeholder.key else None
        if value is None:
            size += measure(match.group(0))
        elif placeholder.conditional_text is not None:
            size += measure(placeholder.conditional_text) if is_truthy(value) else 0
        else:
            if placeholder.key not in value_sizes:
                value_sizes[placeholder.key] = measure(format_value(value, markdown_lists=markdown_lists))
            size += value_sizes[placeholder.key]
    return size + measure(text[position:])
