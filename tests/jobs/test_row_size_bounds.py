"""A bulk row is measured before it is filled: a cell the template uses many times is never copied many times."""

from __future__ import annotations

import pytest

from app.jobs.columns import match_columns
from app.jobs.errors import JobFileError
from app.jobs.recipient_file import read_row_lists
from app.jobs.row_validation import SendingRules, validate_rows


def _problems(rows: list[list[str]], rules: SendingRules) -> list[str]:
    recipient_file = read_row_lists(rows)
    columns = match_columns(recipient_file.header, rules.template_type, [rules.template_content])
    with pytest.raises(JobFileError) as raised:
        validate_rows(recipient_file, columns, rules)
    return raised.value.messages()


def test_an_email_cell_used_many_times_is_refused_by_its_filled_size() -> None:
    """Filling would build 100 MB for this one row; measuring does not."""
    rules = SendingRules(template_type="email", template_content="((name))" * 100_000, can_send_international=False)

    assert _problems([["email address", "name"], ["jo@example.com", "x" * 1_000]], rules) == [
        "Row 2: Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 100000000 bytes."
    ]


def test_an_sms_cell_of_whitespace_used_many_times_is_refused_before_tidying() -> None:
    rules = SendingRules(template_type="sms", template_content="((name))" * 1_000, can_send_international=False)

    assert _problems([["phone number", "name"], ["07700900123", " " * 200 + "x"]], rules) == [
        "Row 2: Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 201000 characters long."
    ]


def test_an_email_subject_filled_past_the_limit_is_refused() -> None:
    rules = SendingRules(
        template_type="email",
        template_content="Hi ((name))",
        template_subject="((name))" * 10_000,
        can_send_international=False,
    )

    assert _problems([["email address", "name"], ["jo@example.com", "x" * 1_000]], rules) == [
        "Row 2: Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 10000000 bytes."
    ]
