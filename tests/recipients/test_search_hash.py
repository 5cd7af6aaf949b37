"""The keyed recipient hash support search finds notifications by, and the normalisation of a searched recipient."""

from __future__ import annotations

import pytest

from app.recipients.errors import InvalidEmailError, InvalidPhoneError
from app.recipients.search_hash import normalise_searched_recipient, recipient_search_hash


def test_the_hash_depends_on_the_key() -> None:
    assert recipient_search_hash("key-one", "447700900123") != recipient_search_hash("key-two", "447700900123")


def test_the_hash_is_hmac_sha256_in_hex() -> None:
    # RFC 4231 test case 2: HMAC-SHA256 of "what do ya want for nothing?" under "Jefe".
    assert recipient_search_hash("Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_no_recipient_has_no_hash() -> None:
    assert recipient_search_hash("key", None) is None


@pytest.mark.parametrize(
    ("searched", "normalised"),
    [
        ("07700 900123", "447700900123"),
        ("+44 (0)7700-900123", "447700900123"),
        ("+1 202 555 0199", "12025550199"),
        (" Someone@EXAMPLE.com\u200b", "someone@example.com"),
    ],
    ids=["uk-national", "uk-international", "us", "email"],
)
def test_a_searched_recipient_is_normalised_as_a_send_stores_it(searched: str, normalised: str) -> None:
    assert normalise_searched_recipient(searched) == normalised


@pytest.mark.parametrize(
    ("searched", "error"),
    [("0207 946 0000", InvalidPhoneError), ("someone@", InvalidEmailError), ("hello", InvalidPhoneError)],
    ids=["landline", "no-domain", "words"],
)
def test_something_neither_a_mobile_nor_an_address_is_refused(searched: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        normalise_searched_recipient(searched)
