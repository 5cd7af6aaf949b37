"""Match a recipient file's header to a template: the recipient column and a column for every placeholder.

Column names are compared the way placeholders are (case, spaces, underscores and hyphens ignored), so
`Phone Number`, `phone_number` and `phonenumber` all name the recipient column of a text message job.

A letter's recipient is its address: the columns `address_line_1` to `address_line_7` and the older `postcode`, at
least 3 of them. They become personalisation under those exact keys (whatever the header calls them), which is where
a single letter keeps its address, so a row's letter is read and rendered exactly as a single one is.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.jobs.errors import JobFileError
from app.letters.postal_address import ADDRESS_KEYS_WITH_LINE_7, ADDRESS_KEYS_WITH_POSTCODE
from app.models import TemplateType
from app.templating.placeholders import Placeholder, find_placeholders, placeholder_key

RECIPIENT_COLUMNS = {TemplateType.SMS.value: "phone number", TemplateType.EMAIL.value: "email address"}
ADDRESS_COLUMNS = tuple(dict.fromkeys((*ADDRESS_KEYS_WITH_LINE_7, *ADDRESS_KEYS_WITH_POSTCODE)))
_ADDRESS_COLUMN_KEYS = frozenset(placeholder_key(key) for key in ADDRESS_COLUMNS)
MIN_ADDRESS_COLUMNS = 3
MISSING_ADDRESS_COLUMNS = f"Missing address columns: a letter needs at least {MIN_ADDRESS_COLUMNS} of " + ", ".join(
    ADDRESS_COLUMNS
)


@dataclass(frozen=True)
class PersonalisationColumn:
    index: int
    name: str  # as written in the header; becomes the personalisation key
    is_optional: bool  # only used in conditional placeholders, so a blank cell just hides the text


@dataclass(frozen=True)
class FileColumns:
    recipient_index: int
    recipient_name: str  # as written in the header; a letter's: `address`
    personalisation: tuple[PersonalisationColumn, ...]  # a letter's address columns last, under their exact keys
    address_keys: frozenset[str] = frozenset()  # letters: the keys of the address columns the file has

    @property
    def is_address(self) -> bool:
        return bool(self.address_keys)


def match_columns(header: list[str], template_type: str, template_texts: list[str]) -> FileColumns:
    """Find the recipient and personalisation columns. Raises JobFileError naming every duplicate or missing column."""
    indexes_by_key, problems = _indexes_by_key(header)
    recipient_column = RECIPIENT_COLUMNS[template_type]
    placeholders = [placeholder for text in template_texts for placeholder in find_placeholders(text)]
    problems.extend(_missing_columns(indexes_by_key, [recipient_column, *(p.name for p in placeholders)]))
    if problems:
        raise JobFileError(problems)
    recipient_index = indexes_by_key[placeholder_key(recipient_column)]
    return FileColumns(
        recipient_index=recipient_index,
        recipient_name=header[recipient_index],
        personalisation=_personalisation_columns(header, indexes_by_key, placeholders),
    )


def match_letter_columns(header: list[str], template_texts: list[str]) -> FileColumns:
    """Find the address columns (at least 3) and the personalisation columns. Raises JobFileError naming every
    duplicate or missing column."""
    indexes_by_key, problems = _indexes_by_key(header)
    address_indexes = {
        key: indexes_by_key[placeholder_key(key)] for key in ADDRESS_COLUMNS if placeholder_key(key) in indexes_by_key
    }
    if len(address_indexes) < MIN_ADDRESS_COLUMNS:
        problems.append(MISSING_ADDRESS_COLUMNS)
    placeholders = [
        placeholder
        for text in template_texts
        for placeholder in find_placeholders(text)
        if placeholder.key not in _ADDRESS_COLUMN_KEYS  # filled from the address columns
    ]
    problems.extend(_missing_columns(indexes_by_key, [placeholder.name for placeholder in placeholders]))
    if problems:
        raise JobFileError(problems)
    columns = _personalisation_columns(header, indexes_by_key, placeholders)
    address_columns = tuple(
        PersonalisationColumn(index=index, name=key, is_optional=True) for key, index in address_indexes.items()
    )
    return FileColumns(
        recipient_index=min(address_indexes.values()),
        recipient_name="address",
        personalisation=(*columns, *address_columns),
        address_keys=frozenset(address_indexes),
    )


def _indexes_by_key(header: list[str]) -> tuple[dict[str, int], list[str]]:
    indexes_by_key: dict[str, int] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        key = placeholder_key(name)
        if key in indexes_by_key:
            problems.append(f"Duplicate column: {name}")
        indexes_by_key.setdefault(key, index)
    return indexes_by_key, problems


def _missing_columns(indexes_by_key: dict[str, int], wanted: list[str]) -> list[str]:
    problems: list[str] = []
    seen_keys: set[str] = set()
    for name in wanted:
        key = placeholder_key(name)
        if key not in indexes_by_key and key not in seen_keys:
            problems.append(f"Missing column: {name}")
        seen_keys.add(key)
    return problems


def _personalisation_columns(
    header: list[str], indexes_by_key: dict[str, int], placeholders: list[Placeholder]
) -> tuple[PersonalisationColumn, ...]:
    conditional_only = {
        placeholder.key
        for placeholder in placeholders
        if all(other.is_conditional for other in placeholders if other.key == placeholder.key)
    }
    personalisation_keys = dict.fromkeys(placeholder.key for placeholder in placeholders)
    return tuple(
        PersonalisationColumn(
            index=indexes_by_key[key], name=header[indexes_by_key[key]], is_optional=key in conditional_only
        )
        for key in personalisation_keys
    )
