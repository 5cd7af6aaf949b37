"""Find, check and fill `((name))` and conditional `((name??text))` placeholders in template text.

Names match the way GOV.UK Notify matches them: case, spaces, underscores and hyphens are ignored, so
`((First Name))`, `((first_name))` and `((firstname))` all take the personalisation value `FIRSTNAME`.

Values are rendered like this:
- `None` (or absent): the placeholder is left in the text untouched; `missing_placeholders` reports it.
- a list or tuple: `None` items and blank items are dropped; the rest become a markdown bullet list
  (`markdown_lists=True`, used for email bodies) or an English list `a, b and c` (SMS, subjects).
- a number or a boolean: `str(value)`, as Notify writes them (`5`, `1.5`, `True`).
- an object, or a list holding an object or a list: never written as text; `UnrenderableValueError`.
A conditional placeholder `((name??text))` becomes `text` when the value says yes (see `is_truthy`), else nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

PLACEHOLDER_PATTERN = re.compile(r"\(\(([^()]+)\)\)")
CONDITIONAL_SEPARATOR = "??"

# Words that switch a conditional placeholder on (compared lower-cased, without surrounding spaces).
TRUTHY_WORDS = frozenset({"yes", "y", "true", "t", "1", "include", "show"})

_IGNORED_IN_NAMES = re.compile(r"[\s_-]+")
_ZERO_WIDTH_CHARACTERS = re.compile("[\u180e\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class Placeholder:
    """One `((...))` occurrence: its name as written and, for a conditional one, the text it may show."""

    name: str
    conditional_text: str | None = None

    @property
    def key(self) -> str:
        return placeholder_key(self.name)

    @property
    def is_conditional(self) -> bool:
        return self.conditional_text is not None


class UnrenderableValueError(ValueError):
    """A personalisation value that cannot be written into a message (an object, or a list holding one)."""


def placeholder_key(name: str) -> str:
    """Return the form of a placeholder or personalisation name that is compared: lower case, no spaces, `_` or `-`."""
    return _IGNORED_IN_NAMES.sub("", name).lower()


def parse_placeholder(body: str) -> Placeholder:
    """Split the text between `((` and `))` into a name and, if it has `??`, the conditional text."""
    name, separator, conditional_text = body.partition(CONDITIONAL_SEPARATOR)
    return Placeholder(name=name.strip(), conditional_text=conditional_text if separator else None)


def find_placeholders(text: str) -> list[Placeholder]:
    """Return every placeholder in `text` in order, repeats included. `(( ))` (no name) is not a placeholder."""
    placeholders = (parse_placeholder(body) for body in PLACEHOLDER_PATTERN.findall(text))
    return [placeholder for placeholder in placeholders if placeholder.key]


def placeholder_names(*texts: str) -> list[str]:
    """Return the placeholder names used in `texts`, in order of first appearance, each name once."""
    names_by_key: dict[str, str] = {}
    for text in texts:
        for placeholder in find_placeholders(text):
            names_by_key.setdefault(placeholder.key, placeholder.name)
    return list(names_by_key.values())


def missing_placeholders(texts: Iterable[str], personalisation: Mapping[str, Any] | None) -> list[str]:
    """Return the names (as first written) of placeholders whose value is absent or `None`."""
    if isinstance(texts, str):
        texts = (texts,)
    values = values_by_key(personalisation)
    return [name for name in placeholder_names(*texts) if values.get(placeholder_key(name)) is None]


def missing_personalisation_message(names: Iterable[str]) -> str:
    return f"Missing personalisation: {', '.join(names)}"


def values_by_key(personalisation: Mapping[str, Any] | None) -> dict[str, Any]:
    """Index personalisation values by `placeholder_key`; when two keys collide the later one wins."""
    return {placeholder_key(str(name)): value for name, value in (personalisation or {}).items()}


def is_truthy(value: Any) -> bool:
    """Decide whether a conditional placeholder shows its text.

    Booleans are themselves; strings must be one of `TRUTHY_WORDS` (so `"no"`, `"false"` and `""` hide the
    text); numbers are true when not zero; lists are true when they have a non-blank item; `None` is false.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in TRUTHY_WORDS
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, list | tuple):
        return bool(list_items(value))
    return bool(value)


def list_items(values: list[Any] | tuple[Any, ...]) -> list[str]:
    """Return the non-blank items of a list value as tidy strings (zero-width characters removed, stripped)."""
    items = (_tidy_item(str(item)) for item in values if item is not None)
    return [item for item in items if item]


def _tidy_item(item: str) -> str:
    return _ZERO_WIDTH_CHARACTERS.sub("", item).replace("\u00a0", " ").strip()


def format_list(items: list[str], *, markdown_lists: bool) -> str:
    """Render list items as a markdown bullet list on lines of their own, or as `a, b and c`."""
    if not items:
        return ""
    if markdown_lists:
        bullets = "\n".join(f"* {' '.join(item.split())}" for item in items)
        return f"\n\n{bullets}\n\n"
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def format_value(value: Any, *, escape_html: bool = False, markdown_lists: bool = False) -> str:
    """Render one personalisation value as text (see the module docstring). Raises UnrenderableValueError."""
    if isinstance(value, Mapping) or (
        isinstance(value, list | tuple) and any(isinstance(item, Mapping | list | tuple) for item in value)
    ):
        value_type = type(value).__name__
        raise UnrenderableValueError(f"a personalisation value of type {value_type} cannot be written as text")
    if isinstance(value, list | tuple):
        items = list_items(value)
        if escape_html:
            items = [escape(item) for item in items]
        return format_list(items, markdown_lists=markdown_lists)
    text = str(value)
    return escape(text) if escape_html else text


def fill_placeholders(
    text: str,
    personalisation: Mapping[str, Any] | None,
    *,
    escape_html: bool = False,
    markdown_lists: bool = False,
) -> str:
    """Replace each placeholder that has a value; leave the others as they are.

    `escape_html` escapes the values (never the template's own text) for use inside HTML.
    Values are inserted once: a value that itself looks like `((name))` is not filled again.
    """
    values = values_by_key(personalisation)

    def replace(match: re.Match[str]) -> str:
        placeholder = parse_placeholder(match.group(1))
        value = values.get(placeholder.key) if placeholder.key else None
        if value is None:
            return match.group(0)
        if placeholder.conditional_text is not None:
            return placeholder.conditional_text if is_truthy(value) else ""
        return format_value(value, escape_html=escape_html, markdown_lists=markdown_lists)

    return PLACEHOLDER_PATTERN.sub(replace, text)
