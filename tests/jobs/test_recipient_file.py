"""Reading recipient files: rows numbered as a spreadsheet shows them, and precise errors for malformed files."""

from __future__ import annotations

import pytest

from app.jobs.errors import JobFileError
from app.jobs.recipient_file import EMPTY_FILE, MAX_ROWS, NO_ROWS, FileRow, read_csv_text, read_row_lists


def test_read_csv_text_numbers_rows_from_two_after_the_header() -> None:
    recipient_file = read_csv_text("phone number,name\r\n07700900001,Jo\r\n07700900002,Sam\r\n")

    assert recipient_file.header == ["phone number", "name"]
    assert recipient_file.rows == [
        FileRow(number=2, cells=["07700900001", "Jo"]),
        FileRow(number=3, cells=["07700900002", "Sam"]),
    ]


def test_read_csv_text_ignores_a_byte_order_mark() -> None:
    recipient_file = read_csv_text("\ufeffphone number\n07700900001\n")

    assert recipient_file.header == ["phone number"]


def test_read_csv_text_keeps_quoted_commas_and_line_breaks_in_a_value() -> None:
    recipient_file = read_csv_text('phone number,address\n07700900001,"1 High St,\nTown"\n')

    assert recipient_file.rows[0].cells == ["07700900001", "1 High St,\nTown"]


def test_blank_rows_are_skipped_but_keep_their_row_number() -> None:
    recipient_file = read_csv_text("phone number,name\n,\n07700900001,Jo\n\n")

    assert recipient_file.rows == [FileRow(number=3, cells=["07700900001", "Jo"])]


def test_blank_cells_after_the_last_column_are_dropped() -> None:
    recipient_file = read_csv_text("phone number,name,,\n07700900001,Jo,,\n")

    assert recipient_file.header == ["phone number", "name"]
    assert recipient_file.rows[0].cells == ["07700900001", "Jo"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", EMPTY_FILE),
        ("\n\n,,\n", EMPTY_FILE),
        ("phone number,name\n", NO_ROWS),
        ("phone number,name\n07700900001,Jo\n07700900002\n", "Row 3: has 1 values but the header has 2 columns"),
        ("phone number\n07700900001,Jo\n", "Row 2: has 2 values but the header has 1 columns"),
        ("phone number,,name\n07700900001,x,Jo\n", "Row 1: column 2 has no name"),
        ("phone number,name\n07700900001,Jo\n07700900002,J\ufffdrg\n", "Row 3: has characters that could not be read"),
        ("phone number,name\n07700900001,Jo\x00\n", "Row 2: has characters that could not be read"),
        ("phone number\n" + "7" * 200_000 + "\n", "Row 2: not valid CSV (field larger than field limit (131072))"),
    ],
    ids=[
        "empty",
        "only blank rows",
        "header only",
        "row with too few values",
        "row with too many values",
        "header with a gap",
        "replacement character from a wrong encoding",
        "nul byte",
        "value too big for CSV",
    ],
)
def test_read_csv_text_refuses_a_malformed_file(text: str, message: str) -> None:
    with pytest.raises(JobFileError) as raised:
        read_csv_text(text)

    assert raised.value.messages()[0].startswith(message)


def test_read_csv_text_reports_every_ragged_row() -> None:
    with pytest.raises(JobFileError) as raised:
        read_csv_text("phone number,name\n07700900001\n07700900002,Jo\n07700900003,a,b\n")

    assert raised.value.messages() == [
        "Row 2: has 1 values but the header has 2 columns",
        "Row 4: has 3 values but the header has 2 columns",
    ]


def test_read_csv_text_accepts_the_maximum_number_of_rows() -> None:
    recipient_file = read_csv_text("phone number\n" + "07700900001\n" * MAX_ROWS)

    assert len(recipient_file.rows) == MAX_ROWS


def test_read_csv_text_refuses_one_row_more_than_the_maximum() -> None:
    with pytest.raises(JobFileError) as raised:
        read_csv_text("phone number\n" + "07700900001\n" * (MAX_ROWS + 1))

    assert raised.value.messages() == ["Too many rows: 100001 (maximum 100000)"]


def test_read_row_lists_turns_numbers_into_text_and_nulls_into_blanks() -> None:
    recipient_file = read_row_lists([["phone number", "age", "note"], ["07700900001", 42, None]])

    assert recipient_file.rows == [FileRow(number=2, cells=["07700900001", "42", ""])]


@pytest.mark.parametrize(
    "bad_row",
    [{"phone number": "07700900001"}, ["07700900001", True], ["07700900001", ["nested"]], "07700900001"],
    ids=["object", "boolean value", "nested list", "plain string"],
)
def test_read_row_lists_refuses_rows_that_are_not_lists_of_text_or_numbers(bad_row: object) -> None:
    with pytest.raises(JobFileError) as raised:
        read_row_lists([["phone number", "name"], ["07700900002", "Jo"], bad_row])

    assert raised.value.messages() == ["Row 3: must be a list of text or number values"]


def test_read_row_lists_refuses_an_empty_list() -> None:
    with pytest.raises(JobFileError) as raised:
        read_row_lists([])

    assert raised.value.messages() == [EMPTY_FILE]


def test_a_column_name_over_255_characters_is_refused() -> None:
    with pytest.raises(JobFileError) as raised:
        read_row_lists([["phone number", "n" * 256], ["07700900123", "Jo"]])

    assert raised.value.messages() == ["Row 1: column 2: Too long: 256 characters (maximum 255)"]
