"""Validate and normalise mobile numbers for SMS: UK mobiles always, other countries when the service may.

A number is cleaned first (spaces, brackets, hyphens and dots go; a leading `+` or `00` marks it international),
then read as UK when it starts `0`, `44`, or `7` with at most 10 digits, as the legacy Notify rules did. UK numbers
are checked by those rules (a mobile is `7` and 9 more digits), then by `phonenumbers` for the real allocation.
Other numbers are checked by `phonenumbers`. Numbers in Ofcom's drama range (07700 900000–900999) are accepted as
UK mobiles although `phonenumbers` calls them invalid: they are the ones services use for testing. Guernsey,
Jersey and the Isle of Man share +44 but are billed, and permitted, as international.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from app.recipients.errors import (
    NOT_A_UK_MOBILE,
    NOT_A_VALID_COUNTRY_PREFIX,
    NOT_A_VALID_NUMBER,
    NOT_ENOUGH_DIGITS,
    TOO_MANY_DIGITS,
    UNKNOWN_CHARACTER,
    InternationalNotAllowedError,
    InvalidPhoneError,
)
from app.recipients.international_rates import UK_RATE, international_rate

UK_PREFIX = "44"
UK_MOBILE_NATIONAL_LENGTH = 10  # 7 and nine more digits
DEFAULT_REGION = "GB"
DRAMA_NUMBER_RANGE = range(7700900000, 7700901000)  # Ofcom's numbers for TV, film and testing

UK_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.PERSONAL_NUMBER})
INTERNATIONAL_TYPES = frozenset(
    {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.UAN,
    }
)

_STORED_NORMALISED = re.compile(r"[1-9][0-9]{6,14}")  # E.164 without the '+'
_IGNORED_CHARACTERS = re.compile(r"[\s()\-.\u180e\u200b\u200c\u200d\u2060\ufeff]+")
_DIGITS = re.compile(r"[0-9]+")

_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: NOT_A_VALID_COUNTRY_PREFIX,
    NumberParseException.TOO_LONG: TOO_MANY_DIGITS,
}
_POSSIBILITY_ERRORS = {
    ValidationResult.TOO_SHORT: NOT_ENOUGH_DIGITS,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: NOT_ENOUGH_DIGITS,
    ValidationResult.TOO_LONG: TOO_MANY_DIGITS,
    ValidationResult.INVALID_COUNTRY_CODE: NOT_A_VALID_COUNTRY_PREFIX,
}


@dataclass(frozen=True)
class ValidatedPhoneNumber:
    normalised: str  # E.164 without the '+', e.g. 447700900123
    is_international: bool  # outside the UK, Crown dependencies included
    country_prefix: str  # country calling code, e.g. "44", "1"
    rate_multiplier: int
    has_delivery_receipts: bool


def validate_phone_number(number: str, *, allow_international: bool) -> ValidatedPhoneNumber:
    """Validate a number for sending.

    Raises `InvalidPhoneError` for anything that is not a mobile number we can send to, and
    `InternationalNotAllowedError` for a valid number outside the UK when `allow_international` is false.
    """
    validated = parse_phone_number(number)
    if validated.is_international and not allow_international:
        raise InternationalNotAllowedError()
    return validated


def validate_phone_number_format(number: str) -> str:
    """Validate a number's format only (not the service's permission to send abroad); return its normalised form."""
    return parse_phone_number(number).normalised


def parse_phone_number(number: str) -> ValidatedPhoneNumber:
    """Validate a number's format and describe it. Raises `InvalidPhoneError`."""
    digits, is_marked_international = _clean(number)
    if _reads_as_uk(digits, is_marked_international=is_marked_international):
        return _validate_uk_number(digits)
    return _validate_international_number(digits)


def stored_phone_number(
    normalised: str | None, *, is_international: bool, country_prefix: str | None
) -> ValidatedPhoneNumber:
    """Rebuild a number parsed when its notification was accepted from what was stored then, deciding nothing again.

    Raises `InvalidPhoneError` when the stored form is not E.164 (a row written around the API).
    """
    if normalised is None or not _STORED_NORMALISED.fullmatch(normalised):
        raise InvalidPhoneError(NOT_A_VALID_NUMBER)
    if is_international:
        return _international_number(normalised, country_prefix or "")
    return _uk_number(normalised)


def _clean(number: str) -> tuple[str, bool]:
    """Return the digits and whether they started with `+` or `00`; refuse anything else that is not a digit."""
    cleaned = _IGNORED_CHARACTERS.sub("", number)
    is_marked_international = cleaned.startswith(("+", "00"))
    digits = cleaned.removeprefix("+") if cleaned.startswith("+") else cleaned.removeprefix("00")
    if digits and not _DIGITS.fullmatch(digits):
        raise InvalidPhoneError(UNKNOWN_CHARACTER)
    if not digits:
        raise InvalidPhoneError(NOT_ENOUGH_DIGITS)
    return digits, is_marked_international


def _reads_as_uk(digits: str, *, is_marked_international: bool) -> bool:
    if digits.startswith(UK_PREFIX):
        return True
    if is_marked_international:
        return False
    return digits.startswith("0") or (digits.startswith("7") and len(digits) <= UK_MOBILE_NATIONAL_LENGTH)


def _validate_uk_number(digits: str) -> ValidatedPhoneNumber:
    national = digits.removeprefix(UK_PREFIX).lstrip("0")
    if not national.startswith("7"):
        raise InvalidPhoneError(NOT_A_UK_MOBILE)
    if len(national) > UK_MOBILE_NATIONAL_LENGTH:
        raise InvalidPhoneError(TOO_MANY_DIGITS)
    if len(national) < UK_MOBILE_NATIONAL_LENGTH:
        raise InvalidPhoneError(NOT_ENOUGH_DIGITS)
    normalised = UK_PREFIX + national
    if int(national) in DRAMA_NUMBER_RANGE:
        return _uk_number(normalised)
    parsed = phonenumbers.parse(f"+{normalised}")
    if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in UK_MOBILE_TYPES:
        raise InvalidPhoneError(NOT_A_UK_MOBILE)
    if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION:
        return _uk_number(normalised)
    return _international_number(normalised, UK_PREFIX)  # Guernsey, Jersey, Isle of Man


def _validate_international_number(digits: str) -> ValidatedPhoneNumber:
    try:
        parsed = phonenumbers.parse(f"+{digits}")
    except NumberParseException as error:
        raise InvalidPhoneError(_PARSE_ERRORS.get(error.error_type, NOT_ENOUGH_DIGITS)) from error
    possibility = phonenumbers.is_possible_number_with_reason(parsed)
    if possibility != ValidationResult.IS_POSSIBLE:
        raise InvalidPhoneError(_POSSIBILITY_ERRORS.get(possibility, NOT_A_VALID_NUMBER))
    if not phonenumbers.is_valid_number(parsed) or phonenumbers.number_type(parsed) not in INTERNATIONAL_TYPES:
        raise InvalidPhoneError(NOT_A_VALID_NUMBER)
    normalised = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).removeprefix("+")
    return _international_number(normalised, str(parsed.country_code))


def _uk_number(normalised: str) -> ValidatedPhoneNumber:
    return ValidatedPhoneNumber(
        normalised=normalised,
        is_international=False,
        country_prefix=UK_PREFIX,
        rate_multiplier=UK_RATE.rate_multiplier,
        has_delivery_receipts=UK_RATE.has_delivery_receipts,
    )


def _international_number(normalised: str, country_prefix: str) -> ValidatedPhoneNumber:
    rate = international_rate(country_prefix)
    return ValidatedPhoneNumber(
        normalised=normalised,
        is_international=True,
        country_prefix=country_prefix,
        rate_multiplier=rate.rate_multiplier,
        has_delivery_receipts=rate.has_delivery_receipts,
    )
