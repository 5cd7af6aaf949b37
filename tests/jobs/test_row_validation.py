"""Validating every row: recipient, trial and team restrictions, personalisation and length, named by row and column."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.jobs.columns import match_columns
from app.jobs.errors import JobFileError
from app.jobs.recipient_file import read_row_lists
from app.jobs.row_validation import (
    TEAM_KEY_MESSAGE,
    TRIAL_MODE_MESSAGE,
    PreparedRow,
    PreparedRows,
    SendingRules,
    normalised_recipients,
    validate_rows,
)

SMS_TEMPLATE = "Hello ((name))"
EMAIL_TEMPLATE = "Dear ((name))"


def validate(rows: list[list[str]], rules: SendingRules, *, texts: list[str] | None = None) -> PreparedRows:
    recipient_file = read_row_lists(rows)
    columns = match_columns(recipient_file.header, rules.template_type, texts or [rules.template_content])
    return validate_rows(recipient_file, columns, rules)


SMS_RULES = SendingRules(template_type="sms", template_content=SMS_TEMPLATE, can_send_international=False)
EMAIL_RULES = SendingRules(template_type="email", template_content=EMAIL_TEMPLATE, can_send_international=False)


def sms_rules(**overrides: Any) -> SendingRules:
    return replace(SMS_RULES, **overrides)


def email_rules(**overrides: Any) -> SendingRules:
    return replace(EMAIL_RULES, **overrides)


def problems(rows: list[list[str]], rules: SendingRules) -> list[str]:
    with pytest.raises(JobFileError) as raised:
        validate(rows, rules)
    return raised.value.messages()


def test_valid_sms_rows_are_prepared_with_numbers_in_e164_form_and_billing_facts() -> None:
    prepared = validate(
        [["phone number", "name"], ["07700 900123", "Jo"], ["+1 202 555 0123", "Sam"]],
        sms_rules(can_send_international=True),
    )

    assert prepared.columns == ["name"]
    assert prepared.rows == [
        PreparedRow("+447700900123", "447700900123", "44", 1, False, ["Jo"]),
        PreparedRow("+12025550123", "12025550123", "1", 1, True, ["Sam"]),
    ]
    assert prepared.international_count == 1


def test_valid_email_rows_are_prepared_with_lower_case_addresses_for_comparison() -> None:
    prepared = validate([["email address", "name"], [" Jo@Example.com ", "Jo"]], email_rules())

    assert prepared.rows == [PreparedRow("Jo@Example.com", "jo@example.com", None, None, False, ["Jo"])]


def test_a_bad_phone_number_is_reported_with_its_row_and_column() -> None:
    rows = [["phone number", "name"]] + [["07700900123", "Jo"]] * 5 + [["020 7946 0000", "Sam"]]

    assert problems(rows, sms_rules()) == ["Row 7: phone number: Not a UK mobile number"]


def test_the_column_is_named_as_the_file_spells_it() -> None:
    rows = [["Phone_Number", "name"], ["0770090012", "Jo"]]

    assert problems(rows, sms_rules()) == ["Row 2: Phone_Number: Not enough digits"]


def test_a_bad_email_address_is_reported_with_its_row_and_column() -> None:
    assert problems([["email address", "name"], ["not an address", "Jo"]], email_rules()) == [
        "Row 2: email address: Not a valid email address"
    ]


def test_an_international_number_needs_the_permission() -> None:
    rows = [["phone number", "name"], ["+1 202 555 0123", "Jo"]]

    assert problems(rows, sms_rules()) == ["Row 2: phone number: Cannot send to international mobile numbers"]


@pytest.mark.parametrize(
    "message",
    [TRIAL_MODE_MESSAGE, TEAM_KEY_MESSAGE],
    ids=["trial service", "team key"],
)
def test_a_restricted_sender_may_only_send_to_the_guest_list(message: str) -> None:
    rules = sms_rules(allowed_recipients=normalised_recipients(["+447700900123"]), refusal_message=message)
    rows = [["phone number", "name"], ["07700 900123", "Jo"], ["07700900456", "Sam"]]

    assert problems(rows, rules) == [f"Row 3: phone number: {message}"]


def test_a_blank_personalisation_value_is_missing() -> None:
    rules = sms_rules(template_content="((greeting)) ((name))")
    rows = [["phone number", "greeting", "name"], ["07700900123", " ", ""]]

    assert problems(rows, rules) == ["Row 2: Missing personalisation: greeting, name"]


def test_a_blank_value_for_a_conditional_placeholder_hides_its_text() -> None:
    rules = sms_rules(template_content="((urgent??URGENT: ))Hello")

    prepared = validate([["phone number", "urgent"], ["07700900123", ""]], rules)

    assert prepared.rows[0].values == [""]


def test_a_text_message_longer_than_918_characters_is_too_long() -> None:
    rows = [["phone number", "name"], ["07700900123", "x" * 913]]

    assert problems(rows, sms_rules()) == [
        "Row 2: Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 919 characters long."
    ]


def test_an_email_over_two_million_bytes_is_too_long() -> None:
    rows = [["email address", "name"], ["jo@example.com", "x" * 2_000_000]]

    assert problems(rows, email_rules()) == [
        "Row 2: Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2000005 bytes."
    ]


def test_every_problem_of_a_row_is_reported() -> None:
    rows = [["phone number", "name"], ["12", ""]]

    assert problems(rows, sms_rules()) == [
        "Row 2: phone number: Not enough digits",
        "Row 2: Missing personalisation: name",
    ]


def test_problems_are_reported_up_to_fifty_and_then_counted() -> None:
    rows = [["phone number", "name"]] + [["12", "Jo"]] * 120

    reported = problems(rows, sms_rules())

    assert len(reported) == 51
    assert reported[0] == "Row 2: phone number: Not enough digits"
    assert reported[49] == "Row 51: phone number: Not enough digits"
    assert reported[50] == "And 70 more problems"


def test_a_valid_number_padded_with_ignorable_characters_is_refused_before_parsing() -> None:
    padded = "07700900123" + " " * 400

    assert problems([["phone number", "name"], [padded, "Jo"]], sms_rules()) == [
        "Row 2: phone number: Too long: 411 characters (maximum 50)"
    ]


def test_a_valid_number_padded_with_invisible_characters_is_refused_before_parsing() -> None:
    padded = "07700900123" + "\u200b" * 400

    assert problems([["phone number", "name"], [padded, "Jo"]], sms_rules()) == [
        "Row 2: phone number: Too long: 411 characters (maximum 50)"
    ]


def test_a_phone_number_cell_of_fifty_characters_is_measured_then_parsed() -> None:
    cell = "07700900123".center(50)

    prepared = validate([["phone number", "name"], [cell, "Jo"]], sms_rules())

    assert [row.to for row in prepared.rows] == ["+447700900123"]


def test_an_email_address_cell_over_320_characters_is_too_long() -> None:
    cell = "jo@example.com" + " " * 307

    assert problems([["email address", "name"], [cell, "Jo"]], email_rules()) == [
        "Row 2: email address: Too long: 321 characters (maximum 320)"
    ]


def test_a_number_written_with_spaces_and_brackets_is_stored_in_e164_form() -> None:
    prepared = validate([["phone number", "name"], ["+44 (0)7700-900.123", "Jo"]], sms_rules())

    assert [(row.to, row.normalised_to) for row in prepared.rows] == [("+447700900123", "447700900123")]


def test_an_email_address_is_stored_without_its_invisible_characters() -> None:
    prepared = validate([["email address", "name"], ["\u200bjo@example.com\u00a0 ", "Jo"]], email_rules())

    assert [row.to for row in prepared.rows] == ["jo@example.com"]


def test_a_personalisation_cell_longer_than_a_whole_text_message_is_refused_unrendered() -> None:
    rows = [["phone number", "name"], ["07700900123", "x" * 919]]

    assert problems(rows, sms_rules()) == ["Row 2: name: Too long: 919 characters (maximum 918)"]


def test_an_unused_cell_is_bounded_too() -> None:
    rows = [["phone number", "name", "notes"], ["07700900123", "Jo", "x" * 919]]

    assert problems(rows, sms_rules()) == ["Row 2: notes: Too long: 919 characters (maximum 918)"]


def test_an_email_cell_over_two_million_characters_is_refused_unrendered() -> None:
    rows = [["email address", "name"], ["jo@example.com", "x" * 2_000_001]]

    assert problems(rows, email_rules()) == ["Row 2: name: Too long: 2000001 characters (maximum 2000000)"]


def test_every_cell_too_long_in_a_row_is_reported() -> None:
    rows = [["phone number", "name"], ["0" * 51, "x" * 919]]

    assert problems(rows, sms_rules()) == [
        "Row 2: phone number: Too long: 51 characters (maximum 50)",
        "Row 2: name: Too long: 919 characters (maximum 918)",
    ]
