"""Tests for validating and normalising phone numbers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.recipients.errors import InternationalNotAllowedError, InvalidPhoneError
from app.recipients.phone_numbers import (
    ValidatedPhoneNumber,
    parse_phone_number,
    validate_phone_number,
    validate_phone_number_format,
)


@pytest.mark.parametrize(
    "number",
    [
        "07700900123",
        "+447700900123",
        "447700900123",
        "7700900123",
        "07700 900 123",
        "07700-900-123",
        "07700.900.123",
        "(07700) 900123",
        "+44 (0)7700 900-123",
        "0044 7700 900 123",
        "\t07700\u00a0900123 \u200b",
    ],
    ids=str,
)
def test_uk_mobile_numbers_in_any_common_format_normalise_to_e164_without_plus(number):
    assert validate_phone_number(number, allow_international=False).normalised == "447700900123"


def test_a_uk_mobile_number_is_domestic_with_receipts_at_the_uk_rate():
    assert validate_phone_number("07723 456789", allow_international=False) == ValidatedPhoneNumber(
        normalised="447723456789",
        is_international=False,
        country_prefix="44",
        rate_multiplier=1,
        has_delivery_receipts=True,
    )


@pytest.mark.parametrize(
    "number",
    ["07700900000", "07700900111", "07700900222", "07700900999"],
    ids=str,
)
def test_ofcom_drama_numbers_are_uk_mobiles(number):
    assert validate_phone_number(number, allow_international=False).is_international is False


def test_uk_personal_numbers_starting_070_are_accepted():
    assert validate_phone_number("07012 345678", allow_international=False).normalised == "447012345678"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("", "Not enough digits"),
        ("  ", "Not enough digits"),
        ("+", "Not enough digits"),
        ("7", "Not enough digits"),
        ("0770090012", "Not enough digits"),
        ("+44 7700 90012", "Not enough digits"),
        ("077009001234", "Too many digits"),
        ("+44 7700 900 1234", "Too many digits"),
        ("020 7946 0000", "Not a UK mobile number"),
        ("+44 20 7946 0000", "Not a UK mobile number"),
        ("0800 123 4567", "Not a UK mobile number"),
        ("07612 345678", "Not a UK mobile number"),
        ("07700 9OO123", "Must not contain letters or symbols"),
        ("07700900123!", "Must not contain letters or symbols"),
        ("07700/900123", "Must not contain letters or symbols"),
        ("++447700900123", "Must not contain letters or symbols"),
        ("07700９00123", "Must not contain letters or symbols"),
    ],
    ids=lambda value: repr(value),
)
def test_invalid_uk_numbers_give_notifys_legacy_message(number, message):
    with pytest.raises(InvalidPhoneError) as error:
        validate_phone_number(number, allow_international=True)

    assert error.value.message == message


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("+999 123456", "Not a valid country prefix"),
        ("+0 123456789", "Not a valid country prefix"),
        ("+33 6123 4", "Not enough digits"),
        ("+1 234 5", "Not enough digits"),
        ("+33 6 12 34 56 78 90 12 34", "Too many digits"),
        ("+1 900 555 0123", "Number is not valid – double check the phone number you entered"),
        ("1-800-555-0199", "Number is not valid – double check the phone number you entered"),
    ],
    ids=lambda value: repr(value),
)
def test_invalid_international_numbers_give_notifys_message(number, message):
    with pytest.raises(InvalidPhoneError) as error:
        validate_phone_number(number, allow_international=True)

    assert error.value.message == message


@pytest.mark.parametrize(
    ("number", "region_name"),
    [
        ("+44 7624 123456", "Isle of Man"),
        ("+44 7781 123456", "Guernsey"),
        ("+44 7839 123456", "Guernsey"),
        ("+44 7911 123456", "Guernsey"),
        ("07797 123456", "Jersey"),
    ],
    ids=lambda value: value,
)
def test_crown_dependency_numbers_are_international_at_the_44_rate(number, region_name):
    validated = validate_phone_number(number, allow_international=True)

    assert (validated.is_international, validated.country_prefix, validated.rate_multiplier) == (True, "44", 1)


def test_crown_dependency_numbers_need_international_permission():
    with pytest.raises(InternationalNotAllowedError) as error:
        validate_phone_number("+44 7624 123456", allow_international=False)

    assert error.value.message == "Cannot send to international mobile numbers"


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+1 (202) 555-0123", ValidatedPhoneNumber("12025550123", True, "1", 1, False)),
        ("+1 613 555 0123", ValidatedPhoneNumber("16135550123", True, "1", 1, False)),
        ("+33 6 12 34 56 78", ValidatedPhoneNumber("33612345678", True, "33", 2, True)),
        ("0033 6 12 34 56 78", ValidatedPhoneNumber("33612345678", True, "33", 2, True)),
        ("+49 151 12345678", ValidatedPhoneNumber("4915112345678", True, "49", 4, True)),
        ("+353 85 123 4567", ValidatedPhoneNumber("353851234567", True, "353", 3, True)),
        ("+91 98765 43210", ValidatedPhoneNumber("919876543210", True, "91", 3, True)),
        ("+7 912 345 6789", ValidatedPhoneNumber("79123456789", True, "7", 10, True)),
        ("+376 312 345", ValidatedPhoneNumber("376312345", True, "376", 4, False)),
    ],
    ids=["us", "canada", "france", "france-00", "germany", "ireland", "india", "russia", "andorra-unlisted"],
)
def test_international_numbers_are_described_with_their_rate(number, expected):
    assert validate_phone_number(number, allow_international=True) == expected


def test_a_french_number_written_with_its_trunk_zero_normalises_without_it():
    assert validate_phone_number_format("+33 (0)6 12 34 56 78") == "33612345678"


@pytest.mark.parametrize(
    ("number", "normalised"),
    [("12025550123", "12025550123"), ("79123456789", "79123456789"), ("33612345678", "33612345678")],
    ids=["us", "russia", "france"],
)
def test_numbers_without_a_plus_that_cannot_be_uk_are_read_as_international(number, normalised):
    assert validate_phone_number_format(number) == normalised


def test_international_numbers_need_international_permission():
    with pytest.raises(InternationalNotAllowedError) as error:
        validate_phone_number("+33 6 12 34 56 78", allow_international=False)

    assert error.value.message == "Cannot send to international mobile numbers"


def test_a_bad_international_number_is_invalid_rather_than_not_allowed():
    with pytest.raises(InvalidPhoneError) as error:
        validate_phone_number("+999 123456", allow_international=False)

    assert error.value.message == "Not a valid country prefix"


def test_international_not_allowed_is_not_an_invalid_phone_error():
    assert not issubclass(InternationalNotAllowedError, InvalidPhoneError)


def test_validate_phone_number_format_ignores_international_permission():
    assert validate_phone_number_format("+1 202 555 0123") == "12025550123"


def test_validate_phone_number_format_raises_the_same_errors():
    with pytest.raises(InvalidPhoneError) as error:
        validate_phone_number_format("020 7946 0000")

    assert error.value.message == "Not a UK mobile number"


@given(number=st.text())
def test_any_text_is_either_a_number_or_an_invalid_phone_error(number):
    try:
        validated = parse_phone_number(number)
    except InvalidPhoneError as error:
        message = error.message
        validated = None
    if validated is None:
        assert message
    else:
        assert validated.normalised.isdigit()


@given(number=st.from_regex(r"(\+|00)?(44|0|1|33|49|353|91|7)?[0-9 ()-]{6,14}", fullmatch=True))
def test_normalising_a_normalised_number_changes_nothing(number):
    try:
        validated = parse_phone_number(number)
    except InvalidPhoneError:
        return

    assert parse_phone_number(validated.normalised) == validated
