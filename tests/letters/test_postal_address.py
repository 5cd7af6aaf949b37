"""Every address rule of letters.md §2.2, in order, with Notify's exact words."""

from __future__ import annotations

from typing import Any

import pytest

from app.errors import ValidationError
from app.letters import postal_address as pa
from app.letters.countries import REST_OF_WORLD, country_named_by
from app.letters.postal_address import check_postal_address, formatted_uk_postcode


def _address(*lines: str, key_7: bool = False) -> dict[str, Any]:
    keys = pa.ADDRESS_KEYS_WITH_LINE_7 if key_7 else pa.ADDRESS_KEYS_WITH_POSTCODE
    if not key_7 and len(lines) < 7:
        # the last given line is the postcode
        named = dict(zip(keys[: len(lines) - 1], lines[:-1], strict=True))
        return {**named, "postcode": lines[-1]} if lines else {}
    return dict(zip(keys, lines, strict=False))


def _problem(personalisation: dict[str, Any], *, international: bool = False) -> str | None:
    try:
        check_postal_address(personalisation, can_send_international=international)
    except ValidationError as error:
        return error.messages()[0]
    return None


@pytest.mark.parametrize(
    ("personalisation", "international", "message"),
    [
        ({}, False, "Address must be at least 3 lines"),
        (_address("A Person", "SW1A 1AA"), False, "Address must be at least 3 lines"),
        (_address("A Person", "1 Street", "United Kingdom"), False, "Address must be at least 3 lines"),
        (_address("---", "1 Street", "SW1A 1AA"), False, pa.FIRST_LINES_NOT_ALPHANUMERIC),
        (_address("A Person", "!!", "SW1A 1AA"), False, pa.FIRST_LINES_NOT_ALPHANUMERIC),
        (_address("A Person", "BFPO 801", "France"), True, "The last line of a BFPO address must not be a country."),
        (_address("A Person", "1 Street", "Nowhere"), False, "Must be a real UK postcode"),
        (_address("A Person", "1 Street", "Nowhere"), True, pa.NOT_UK_POSTCODE_OR_COUNTRY),
        (_address("A Person", "1 Street", "France"), False, "Must be a real UK postcode"),
        (_address("A Person", "1 Street", "GIR0AA"), False, "Must be a real UK postcode"),
        (_address("A Person", "1 Street", "GX11 1AA"), False, "Must be a real UK postcode"),
        (_address("A Person", "1 Street", "SW1A 1AC"), False, "Must be a real UK postcode"),
        (_address("@ Person", "1 Street", "SW1A 1AA"), False, pa.INVALID_FIRST_CHARACTER),
        (_address("A Person", '"1 Street"', "SW1A 1AA"), False, pa.INVALID_FIRST_CHARACTER),
        (_address("A Person", "1 Street", "~town", "SW1A 1AA"), False, pa.INVALID_FIRST_CHARACTER),
        (_address("A Person", "1 Street", "<b>", "SW1A 1AA"), False, pa.INVALID_FIRST_CHARACTER),
        (_address("A Person", "nfa", "SW1A 1AA"), False, "Must be a real address"),
        (_address("A Person", "No Fixed Abode", "SW1A 1AA"), False, "Must be a real address"),
        (_address("A Person", "of no fixed address", "SW1A 1AA"), False, "Must be a real address"),
    ],
    ids=[
        "empty",
        "two-lines",
        "uk-country-line-does-not-count",
        "line-1-not-alphanumeric",
        "line-2-not-alphanumeric",
        "bfpo-with-country",
        "no-postcode",
        "no-postcode-or-country-international",
        "country-without-international-permission",
        "gir-0aa",
        "gibraltar-postcode",
        "invalid-inward-letter",
        "starts-with-at",
        "starts-with-straight-quote",
        "starts-with-tilde",
        "starts-with-angle-bracket",
        "nfa",
        "no-fixed-abode",
        "no-fixed-address",
    ],
)
def test_an_address_breaking_a_rule_gets_its_message(
    personalisation: dict[str, Any], international: bool, message: str
) -> None:
    assert _problem(personalisation, international=international) == message


def test_an_address_line_7_key_makes_the_address_seven_numbered_lines_and_ignores_postcode() -> None:
    personalisation = {"address_line_1": "A Person", "address_line_2": "1 Street", "address_line_3": "Town"}

    assert _problem({**personalisation, "address_line_7": "", "postcode": "SW1A 1AA"}) == "Must be a real UK postcode"
    assert _problem({**personalisation, "address_line_7": "SW1A 1AA", "postcode": "nonsense"}) is None


def test_seven_lines_pass_and_more_are_refused() -> None:
    seven = {f"address_line_{n}": f"{n} Street" for n in range(1, 7)} | {"address_line_7": "SW1A 1AA"}
    eight = pa.PostalAddress(lines=(*(f"{n} Street" for n in range(7)), "SW1A 1AA"), country=None, bfpo_number=None)

    assert _problem(seven) is None
    assert pa.postal_address_problem(eight, can_send_international=False) == "Address must be no more than 7 lines"


def test_seven_lines_with_a_country_pass_for_an_international_service() -> None:
    personalisation = {f"address_line_{n}": f"{n} Road" for n in range(1, 7)} | {"address_line_7": "France"}

    assert _problem(personalisation, international=True) is None


@pytest.mark.parametrize(
    ("personalisation", "expected_lines", "zone"),
    [
        (_address("  A   Person ", "1 Street,", "  Sw1a  1aa "), ("A Person", "1 Street", "SW1A 1AA"), None),
        (_address("A Person", "1 Street", "SW1A 1AA", "Scotland", "United Kingdom"), None, None),
        (_address("A Person", "1 Rue", "the netherlands"), ("A Person", "1 Rue", "Netherlands"), "europe"),
        (_address("A Person", "1 Main St", "America"), ("A Person", "1 Main St", "USA"), REST_OF_WORLD),
        (_address("A Person", "BFPO c/o 801", "BF1 1AA"), ("A Person", "BF1 1AA", "BFPO 801"), None),
        (_address("A\u200bPerson", "1 Street .", "JE2 3AB"), ("APerson", "1 Street.", "JE2 3AB"), None),
    ],
    ids=["normalised", "trailing-uk-lines-dropped", "europe", "rest-of-world", "bfpo", "zero-width-and-punctuation"],
)
def test_a_valid_address_is_normalised(
    personalisation: dict[str, Any], expected_lines: tuple[str, ...] | None, zone: str | None
) -> None:
    address = check_postal_address(personalisation, can_send_international=True)

    if expected_lines is not None:
        assert address.normalised_lines == expected_lines
    assert address.postage_zone == zone


def test_crown_dependencies_are_uk_addresses() -> None:
    address = check_postal_address(
        _address("A Person", "1 Street", "GY1 1AA", "Guernsey"), can_send_international=False
    )

    assert not address.is_international
    assert address.normalised_lines[-1] == "GY1 1AA"


@pytest.mark.parametrize("line", ["USSR", "Yugoslavia", "France 2", "Narnia"])
def test_these_lines_are_not_countries(line: str) -> None:
    assert country_named_by(line) is None


def test_every_country_in_notifys_europe_zone_can_be_named() -> None:
    from app.letters.countries import _EUROPE

    assert {name for name in _EUROPE if (country := country_named_by(name)) is None or country.name != name} == set()


@pytest.mark.parametrize(
    ("line", "formatted"),
    [("sw1a1aa", "SW1A 1AA"), ("  Sw1  1aa ", "SW1 1AA"), ("W1A 1AA", "W1A 1AA"), ("BX1 1LT", "BX1 1LT")],
)
def test_uk_postcodes_are_formatted_for_printing(line: str, formatted: str) -> None:
    assert formatted_uk_postcode(line) == formatted


def test_a_long_hostile_line_is_checked_in_linear_time() -> None:
    hostile = {"address_line_1": " " * 50_000 + "x", "address_line_2": "!" * 50_000, "postcode": "no fixed" * 5000}

    assert _problem(hostile) == pa.FIRST_LINES_NOT_ALPHANUMERIC
