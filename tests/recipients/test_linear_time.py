"""Recipient validation takes time in proportion to its input, whatever the input is (growth, not seconds)."""

from __future__ import annotations

import contextlib

import pytest

from app.recipients.email_addresses import validate_email_address
from app.recipients.errors import InvalidRecipientError
from app.recipients.phone_numbers import parse_phone_number
from tests.linear_time import assert_linear


def _refused(validate):
    def run(text: str) -> None:
        with contextlib.suppress(InvalidRecipientError):
            validate(text)

    return run


EMAIL_ATTACKS = {
    "long local part": lambda n: "a" * n + "@example.com",
    "hyphen runs": lambda n: "a@" + "a-" * n + ".com",
    "many labels": lambda n: "a@" + "a." * n + "com!",
    "many at signs": lambda n: "a@" * n,
    "invisible characters": lambda n: "\u200b" * n + "a@example.com",
    "punycode tld": lambda n: "a@example.xn--" + "a-" * n + "!",
}
PHONE_ATTACKS = {
    "ignorable characters": lambda n: "07700 900123" + " ()-." * n,
    "digits": lambda n: "0" * n,
    "international digits": lambda n: "+1" + "2" * n,
    "letters": lambda n: "0770090012" + "x" * n,
}


@pytest.mark.parametrize("attack", EMAIL_ATTACKS)
def test_validating_an_email_address_takes_linear_time(attack):
    assert_linear(_refused(validate_email_address), EMAIL_ATTACKS[attack])


@pytest.mark.parametrize("attack", PHONE_ATTACKS)
def test_validating_a_phone_number_takes_linear_time(attack):
    assert_linear(_refused(parse_phone_number), PHONE_ATTACKS[attack])
