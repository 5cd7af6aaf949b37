"""Read a recipient file, given as CSV text or as a list of rows, into a header and rows of text cells.

Rows are numbered the way a spreadsheet shows them: the header is row 1, the first recipient row 2. Rows whose
cells are all blank are skipped (spreadsheets leave them at the end), but keep their place in the numbering.
Everything wrong with the file's shape is reported here, before any row is validated: no header, no rows, too many
rows, characters that are not text (a file saved in another encoding), column names over 255 characters, and rows
with more or fewer values than the header has columns.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.jobs.errors import JobFileError

MAX_ROWS = 100_000
MAX_COLUMN_NAME_LENGTH = 255
BYTE_ORDER_MARK = "\ufeff"

# NUL, other control characters and U+FFFD (what undecodable bytes become) never appear in real recipient data.
_UNREADABLE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")

EMPTY_FILE = "The file is empty"
NO_ROWS = "The file has a header row but no rows to send"


@dataclass(frozen=True)
class FileRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: list[str]


@dataclass(frozen=True)
class RecipientFile:
    header: list[str]
    rows: list[FileRow]


def read_csv_text(text: str) -> RecipientFile:
    """Read CSV text (a leading byte order mark is ignored). Raises JobFileError."""
    reader = csv.reader(io.StringIO(text.removeprefix(BYTE_ORDER_MARK), newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise JobFileError([f"Row {reader.line_num}: not valid CSV ({error})"]) from error
    return _recipient_file(rows)


def read_row_lists(rows: Sequence[Any]) -> RecipientFile:
    """Read rows given as JSON lists of strings, numbers or nulls (null is a blank cell). Raises JobFileError."""
    problems: list[str] = []
    cell_rows: list[list[str]] = []
    for index, row in enumerate(rows):
        cells = _cells_of(row)
        if cells is None:
            problems.append(f"Row {index + 1}: must be a list of text or number values")
            cells = []
        cell_rows.append(cells)
    if problems:
        raise JobFileError(problems)
    if cell_rows and cell_rows[0]:
        cell_rows[0][0] = cell_rows[0][0].removeprefix(BYTE_ORDER_MARK)
    return _recipient_file(cell_rows)


def _cells_of(row: Any) -> list[str] | None:
    if not isinstance(row, list):
        return None
    cells: list[str] = []
    for value in row:
        if value is None:
            cells.append("")
        elif isinstance(value, str):
            cells.append(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            cells.append(str(value))
        else:
            return None
    return cells


def _recipient_file(rows: list[list[str]]) -> RecipientFile:
    numbered = [FileRow(number=index + 1, cells=cells) for index, cells in enumerate(rows) if not _is_blank(cells)]
    if not numbered:
        raise JobFileError([EMPTY_FILE])
    header_row, data_rows = numbered[0], numbered[1:]
    if not data_rows:
        raise JobFileError([NO_ROWS])
    if len(data_rows) > MAX_ROWS:
        raise JobFileError([f"Too many rows: {len(data_rows)} (maximum {MAX_ROWS})"])
    _check_readable(numbered)
    header = _header_of(header_row)
    _check_row_lengths(data_rows, len(header))
    return RecipientFile(header=header, rows=[_trimmed(row, len(header)) for row in data_rows])


def _is_blank(cells: Iterable[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _check_readable(rows: Iterable[FileRow]) -> None:
    for row in rows:
        if any(_UNREADABLE_CHARACTERS.search(cell) for cell in row.cells):
            raise JobFileError(
                [f"Row {row.number}: has characters that could not be read (save the file as UTF-8 text)"]
            )


def _header_of(row: FileRow) -> list[str]:
    header = [cell.strip() for cell in row.cells]
    while header and not header[-1]:
        header.pop()
    blank = [str(index + 1) for index, name in enumerate(header) if not name]
    if blank:
        raise JobFileError([f"Row {row.number}: column {number} has no name" for number in blank])
    too_long = [
        f"Row {row.number}: column {index + 1}: {cell_too_long_message(len(name), MAX_COLUMN_NAME_LENGTH)}"
        for index, name in enumerate(header)
        if len(name) > MAX_COLUMN_NAME_LENGTH
    ]
    if too_long:
        raise JobFileError(too_long)
    return header


def cell_too_long_message(length: int, maximum: int) -> str:
    return f"Too long: {length} characters (maximum {maximum})"


def _check_row_lengths(rows: Iterable[FileRow], column_count: int) -> None:
    problems = [
        f"Row {row.number}: has {len(row.cells)} values but the header has {column_count} columns"
        for row in rows
        if not _fits(row.cells, column_count)
    ]
    if problems:
        raise JobFileError(problems)


def _fits(cells: list[str], column_count: int) -> bool:
    """A row may carry blank cells past the last column (spreadsheets add them); anything else must line up."""
    return len(cells) >= column_count and _is_blank(cells[column_count:])


def _trimmed(row: FileRow, column_count: int) -> FileRow:
    if len(row.cells) == column_count:
        return row
    return FileRow(number=row.number, cells=row.cells[:column_count])
