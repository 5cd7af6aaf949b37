"""Match a recipient file's header to a template: the recipient column and a column for every placeholder.

Column names are compared the way placeholders are (case, spaces, underscores and hyphens ignored), so
`Phone Number`, `phone_number` and `phonenumber` all name the recipient column of a text message job.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.jobs.errors import JobFileError
from app.models import TemplateType
from app.templating.placeholders import find_placeholders, placeholder_key

RECIPIENT_COLUMNS = {TemplateType.SMS.value: "phone number", TemplateType.EMAIL.value: "email address"}


@dataclass(frozen=True)
class PersonalisationColumn:
    index: int
    name: str  # as written in the header; becomes the personalisation key
    is_optional: bool  # only used in conditional placeholders, so a blank cell just hides the text


@dataclass(frozen=True)
class FileColumns:
    recipient_index: int
    recipient_name: str  # as written in the header
    personalisation: tuple[PersonalisationColumn, ...]


def match_columns(header: list[str], template_type: str, template_texts: list[str]) -> FileColumns:
    """Find the recipient and personalisation columns. Raises JobFileError naming every duplicate or missing column."""
    indexes_by_key: dict[str, int] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        key = placeholder_key(name)
        if key in indexes_by_key:
            problems.append(f"Duplicate column: {name}")
        indexes_by_key.setdefault(key, index)
    recipient_column = RECIPIENT_COLUMNS[template_type]
    placeholders = [placeholder for text in template_texts for placeholder in find_placeholders(text)]
    wanted = [recipient_column, *dict.fromkeys(placeholder.name for placeholder in placeholders)]
    seen_keys: set[str] = set()
    for name in wanted:
        key = placeholder_key(name)
        if key not in indexes_by_key and key not in seen_keys:
            problems.append(f"Missing column: {name}")
        seen_keys.add(key)
    if problems:
        raise JobFileError(problems)
    conditional_only = {
        placeholder.key
        for placeholder in placeholders
        if all(other.is_conditional for other in placeholders if other.key == placeholder.key)
    }
    personalisation_keys = dict.fromkeys(placeholder.key for placeholder in placeholders)
    recipient_index = indexes_by_key[placeholder_key(recipient_column)]
    return FileColumns(
        recipient_index=recipient_index,
        recipient_name=header[recipient_index],
        personalisation=tuple(
            PersonalisationColumn(
                index=indexes_by_key[key], name=header[indexes_by_key[key]], is_optional=key in conditional_only
            )
            for key in personalisation_keys
        ),
    )
