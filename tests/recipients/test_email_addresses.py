"""Tests for validating and normalising email addresses."""

import pytest

from app.recipients.email_addresses import normalise_email_address, validate_email_address
from app.recipients.errors import InvalidEmailError

VALID_ADDRESSES = [
    "email@domain.com",
    "email@domain.COM",
    "firstname.lastname@domain.com",
    "firstname.o'lastname@domain.com",
    "email@subdomain.domain.com",
    "firstname+lastname@domain.com",
    "1234567890@domain.com",
    "email@domain-one.com",
    "email@double--hyphen.com",
    "_______@domain.com",
    "email@domain.name",
    "email@domain.superlongtld",
    "email@domain.co.jp",
    "firstname-lastname@domain.com",
    "!#$%&'*+/=?^_`{|}~-@domain.com",
    "info@german-financial-services.vermögensberatung",
    "japanese-info@例え.テスト",
    "email@xn--r8jz45g.xn--zckzah",
    "temp-fail@simulator.notify",
    "a" * 64 + "@" + "b" * 63 + ".com",
]

INVALID_ADDRESSES = [
    "",
    "plainaddress",
    "@no-local-part.com",
    "no-at.domain.com",
    "no-tld@domain",
    "email@123.123.123.123",
    "email@[123.123.123.123]",
    "Outlook Contact <outlook-contact@domain.com>",
    ";beginning-semicolon@domain.co.uk",
    "middle-semicolon@domain.co;uk",
    "trailing-semicolon@domain.com;",
    '"email+leading-quotes@domain.com',
    'email+middle"-quotes@domain.com',
    '"quoted-local-part"@domain.com',
    "email @domain.com",
    "email@dom ain.com",
    "two@at@domain.com",
    "email@domain.com.",
    "email@.domain.com",
    "email..doubledot@domain.com",
    "email@domain..com",
    "email@-domain.com",
    "email@domain-.com",
    "email@domain.com-",
    "email@domain.c",
    "email@domain.123",
    "email@domain.c0m",
    "email@" + "a" * 64 + ".com",
    "email@" + ("a" * 62 + ".") * 4 + "com",
    "a" * 310 + "@domain.com",
]


@pytest.mark.parametrize("address", VALID_ADDRESSES, ids=str)
def test_valid_email_addresses_are_accepted(address):
    assert validate_email_address(address) == address


@pytest.mark.parametrize("address", INVALID_ADDRESSES, ids=lambda address: address[:40])
def test_invalid_email_addresses_are_refused_with_notifys_message(address):
    with pytest.raises(InvalidEmailError) as error:
        validate_email_address(address)

    assert error.value.message == "Not a valid email address"


HOSTNAME_OF_253_CHARACTERS = ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 57, "com"])


def test_an_address_of_exactly_320_characters_is_accepted():
    address = "a" * 66 + "@" + HOSTNAME_OF_253_CHARACTERS

    assert validate_email_address(address) == address


def test_an_address_of_321_characters_is_refused():
    with pytest.raises(InvalidEmailError):
        validate_email_address("a" * 67 + "@" + HOSTNAME_OF_253_CHARACTERS)


def test_a_hostname_of_254_characters_is_refused():
    with pytest.raises(InvalidEmailError):
        validate_email_address("a@" + ".".join(["b" * 63, "c" * 63, "d" * 63, "e" * 58, "com"]))


def test_validate_email_address_returns_the_address_stripped():
    assert validate_email_address("  \u200bAda@Example.com\u00a0\n") == "Ada@Example.com"


def test_normalise_email_address_lower_cases_and_strips():
    assert normalise_email_address(" Ada.Lovelace@Example.COM \u200b") == "ada.lovelace@example.com"
