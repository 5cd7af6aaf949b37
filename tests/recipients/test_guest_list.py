"""Tests for comparing a recipient with a service's team members and guest list."""

import pytest

from app.recipients.guest_list import is_recipient_allowed, normalise_recipient_for_comparison


@pytest.mark.parametrize(
    ("recipient", "normalised"),
    [
        ("07700 900123", "447700900123"),
        ("+44 7700 900123", "447700900123"),
        ("447700900123", "447700900123"),
        ("+1 202 555 0123", "12025550123"),
        ("12025550123", "12025550123"),
        (" Ada@Example.COM ", "ada@example.com"),
        ("Not A Number", "not a number"),
    ],
    ids=["uk-national", "uk-international", "already-normalised", "us", "us-normalised", "email", "invalid"],
)
def test_normalise_recipient_for_comparison(recipient, normalised):
    assert normalise_recipient_for_comparison(recipient) == normalised


@pytest.mark.parametrize(
    "recipient",
    ["07700 900123", "07700 900 456", "+1 202 555 0123", " Ada@Example.COM ", "Not A Number", "+44 7624 123456"],
    ids=str,
)
def test_normalising_twice_changes_nothing(recipient):
    once = normalise_recipient_for_comparison(recipient)

    assert normalise_recipient_for_comparison(once) == once


def test_a_phone_number_is_allowed_in_any_format():
    assert is_recipient_allowed("+44 (0)7700 900-123", ["07700900123"])


def test_an_email_address_is_allowed_whatever_its_case():
    assert is_recipient_allowed("ADA@example.com", ["someone@example.com", "ada@EXAMPLE.com"])


def test_a_recipient_not_in_the_list_is_not_allowed():
    assert not is_recipient_allowed("07700900124", ["07700900123", "ada@example.com"])


def test_nobody_is_allowed_by_an_empty_list():
    assert not is_recipient_allowed("07700900123", [])
