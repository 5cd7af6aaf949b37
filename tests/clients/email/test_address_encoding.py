"""Addresses reach SES with punycode domains and encoded-word display names."""

from __future__ import annotations

import pytest

from app.clients.email.address_encoding import (
    UnencodableAddressError,
    encode_email_address,
    encode_sender_address,
)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("someone@example.com", "someone@example.com"),
        ("someone@bücher.example", "someone@xn--bcher-kva.example"),
        ("someone@Bücher.Example", "someone@xn--bcher-kva.Example"),
        ("first.last+tag@sub.bücher.example", "first.last+tag@sub.xn--bcher-kva.example"),
        ("  someone@example.com ", "someone@example.com"),
    ],
    ids=[
        "ascii-unchanged",
        "unicode-domain",
        "ascii-labels-keep-their-case",
        "subdomain-and-tag",
        "whitespace-trimmed",
    ],
)
def test_encode_email_address_puts_the_domain_in_punycode(address: str, expected: str):
    assert encode_email_address(address) == expected


@pytest.mark.parametrize(
    "address",
    ["no-at-sign", "@example.com", "someone@", "someone@bad..example", "someone@" + "x" * 64 + ".example"],
    ids=["no-at-sign", "no-local-part", "no-domain", "empty-label", "label-too-long"],
)
def test_encode_email_address_refuses_what_is_not_an_address(address: str):
    with pytest.raises(UnencodableAddressError):
        encode_email_address(address)


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("notify@notify.example", "notify@notify.example"),
        ('"GOV.UK Notify" <notify@notify.example>', '"GOV.UK Notify" <notify@notify.example>'),
        ('"Büro" <notify@bücher.example>', "=?utf-8?b?QsO8cm8=?= <notify@xn--bcher-kva.example>"),
        ("<notify@notify.example>", "notify@notify.example"),
    ],
    ids=["bare", "ascii-name-kept-as-quoted", "unicode-name-and-domain", "angle-brackets-only"],
)
def test_encode_sender_address_encodes_domain_and_display_name(sender: str, expected: str):
    assert encode_sender_address(sender) == expected
