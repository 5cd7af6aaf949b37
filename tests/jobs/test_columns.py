"""Matching a file's header to a template: the recipient column and one column per placeholder."""

from __future__ import annotations

import pytest

from app.jobs.columns import PersonalisationColumn, match_columns
from app.jobs.errors import JobFileError


@pytest.mark.parametrize(
    "header_name",
    ["phone number", "Phone Number", "phone_number", "PHONENUMBER", " phone-number "],
    ids=["as written", "title case", "underscore", "upper case run together", "hyphen"],
)
def test_recipient_column_is_found_ignoring_case_spaces_and_underscores(header_name: str) -> None:
    columns = match_columns(["name", header_name.strip()], "sms", ["Hello ((name))"])

    assert columns.recipient_index == 1


def test_placeholder_columns_keep_the_header_as_written() -> None:
    columns = match_columns(["Email Address", "First_Name"], "email", ["Dear ((first name))", "Subject"])

    assert columns.recipient_name == "Email Address"
    assert columns.personalisation == (PersonalisationColumn(index=1, name="First_Name", is_optional=False),)


def test_a_placeholder_only_used_conditionally_is_optional() -> None:
    columns = match_columns(["phone number", "urgent"], "sms", ["((urgent??URGENT: ))Call us"])

    assert columns.personalisation == (PersonalisationColumn(index=1, name="urgent", is_optional=True),)


def test_columns_not_in_the_template_are_ignored() -> None:
    columns = match_columns(["phone number", "notes"], "sms", ["Hello"])

    assert columns.personalisation == ()


def test_every_missing_column_is_named() -> None:
    with pytest.raises(JobFileError) as raised:
        match_columns(["name"], "sms", ["Hello ((name)), see you on ((date)) at ((Date))"])

    assert raised.value.messages() == ["Missing column: phone number", "Missing column: date"]


def test_the_email_recipient_column_is_email_address() -> None:
    with pytest.raises(JobFileError) as raised:
        match_columns(["phone number"], "email", ["Hi", "Subject"])

    assert raised.value.messages() == ["Missing column: email address"]


def test_columns_that_differ_only_in_case_or_spacing_are_duplicates() -> None:
    with pytest.raises(JobFileError) as raised:
        match_columns(["phone number", "name", "Name"], "sms", ["Hello ((name))"])

    assert raised.value.messages() == ["Duplicate column: Name"]
