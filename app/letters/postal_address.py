"""A letter's postal address: read from personalisation, normalised, and checked with Notify's rules and words
(letters.md §2.2).

The address is `address_line_1` … `address_line_7` when an `address_line_7` key is present, otherwise
`address_line_1` … `address_line_6` then the legacy `postcode`. Blank lines are dropped. A last line naming the
United Kingdom is dropped, one naming another country makes the address international, and a `BFPO <n>` line makes
it a British Forces address. Every check is a single pass over bounded text (personalisation is size-checked first).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.errors import ValidationError
from app.letters.countries import Country, country_named_by

MIN_LINES = 3
MAX_LINES = 7
ADDRESS_KEYS_WITH_LINE_7 = tuple(f"address_line_{number}" for number in range(1, 8))
ADDRESS_KEYS_WITH_POSTCODE = (*(f"address_line_{number}" for number in range(1, 7)), "postcode")
ALL_ADDRESS_KEYS = frozenset((*ADDRESS_KEYS_WITH_LINE_7, "postcode"))

TOO_FEW_LINES = f"Address must be at least {MIN_LINES} lines"
TOO_MANY_LINES = f"Address must be no more than {MAX_LINES} lines"
FIRST_LINES_NOT_ALPHANUMERIC = "The first 2 lines of the address must both include at least one alphanumeric character"
BFPO_WITH_COUNTRY = "The last line of a BFPO address must not be a country."
NOT_UK_POSTCODE_OR_COUNTRY = "Last line of address must be a real UK postcode or another country"
NOT_UK_POSTCODE = "Must be a real UK postcode"
# Notify's message shows a curly quote and leaves out `~`; the check refuses a straight `"` and a `~` (§2.2 rule 6).
INVALID_FIRST_CHARACTER = "Address lines must not start with any of the following characters: @ ( ) = [ ] ” \\ / , < >"
NOT_A_REAL_ADDRESS = "Must be a real address"

_INVALID_FIRST_CHARACTERS = frozenset('@()=[]"\\/,<>~')
_ZERO_WIDTH = re.compile("[\u180e\u200b\u200c\u200d\u2060\ufeff]")
_UNUSUAL_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_WHITESPACE_RUN = re.compile(r"\s+")
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:!?])")
_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]")
_BFPO_LINE = re.compile(r"bfpo\s*(?:c/o\s*)?(\d+)?", re.IGNORECASE)
_NO_FIXED_ABODE = re.compile(r"no fixed (?:abode|address)", re.IGNORECASE)

# Notify's 127 postcode areas (utils countries/_data/uk-postcode-zones.txt), longest first for the alternation.
_POSTCODE_AREAS = (
    "AB", "AL", "B", "BA", "BB", "BD", "BF", "BH", "BL", "BN", "BR", "BS", "BT", "BX", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EH",
    "EN", "EX", "FK", "FY", "G", "GIR", "GL", "GU", "GY", "HA", "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG",
    "IM", "IP", "IV", "JE", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME",
    "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH", "PL", "PO", "PR", "RG",
    "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP", "SR", "SS", "ST", "SW", "SY", "TA",
    "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO",
    "ZE",
)  # fmt: skip
_UK_POSTCODE = re.compile(
    "(?:" + "|".join(sorted(_POSTCODE_AREAS, key=len, reverse=True)) + r")[0-9][0-9A-Z]?[0-9][ABD-HJLNP-UW-Z]{2}"
)


@dataclass(frozen=True)
class PostalAddress:
    """An address as read from personalisation: its cleaned lines, and what its last lines say it is."""

    lines: tuple[str, ...]  # cleaned, blank lines and trailing UK country lines dropped, the country still last
    country: Country | None  # a non-UK country named by the last line
    bfpo_number: int | None

    @property
    def is_international(self) -> bool:
        return self.country is not None

    @property
    def postage_zone(self) -> str | None:
        """`europe` or `rest-of-world` for an international address, else None (the template's postage holds)."""
        return self.country.postage_zone if self.country is not None else None

    @property
    def normalised_lines(self) -> tuple[str, ...]:
        """The lines as printed: a valid postcode formatted, the country's canonical name, `BFPO <n>` last."""
        if self.bfpo_number is not None:
            others = [line for line in self.lines if not _BFPO_LINE.fullmatch(line)]
            if others and (postcode := formatted_uk_postcode(others[-1])) is not None:
                others[-1] = postcode
            return (*others, f"BFPO {self.bfpo_number}")
        if self.country is not None:
            return (*self.lines[:-1], self.country.name)
        if self.lines and (postcode := formatted_uk_postcode(self.lines[-1])) is not None:
            return (*self.lines[:-1], postcode)
        return self.lines


def address_lines_from(personalisation: Mapping[str, Any]) -> list[str]:
    """The address's raw values in order (7 numbered lines, or 6 and `postcode`), as strings, None as ""."""
    keys = ADDRESS_KEYS_WITH_LINE_7 if "address_line_7" in personalisation else ADDRESS_KEYS_WITH_POSTCODE
    return ["" if personalisation.get(key) is None else str(personalisation[key]) for key in keys]


def clean_line(line: str) -> str:
    line = _UNUSUAL_SPACES.sub(" ", _ZERO_WIDTH.sub("", line))
    line = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _WHITESPACE_RUN.sub(" ", line).strip())
    return line.rstrip(" ,")


def formatted_uk_postcode(line: str) -> str | None:
    """``line`` as a printed UK postcode (`SW1A 1AA`), or None when it is not one."""
    candidate = "".join(line.split()).upper()
    if not _UK_POSTCODE.fullmatch(candidate):
        return None
    return f"{candidate[:-3]} {candidate[-3:]}"


def parse_postal_address(raw_lines: Sequence[str]) -> PostalAddress:
    lines = [cleaned for cleaned in (clean_line(line) for line in raw_lines) if cleaned]
    while lines and (country := country_named_by(lines[-1])) is not None and country.is_united_kingdom:
        lines.pop()
    last_country = country_named_by(lines[-1]) if lines else None
    bfpo_numbers = [match.group(1) for line in lines if (match := _BFPO_LINE.fullmatch(line)) and match.group(1)]
    return PostalAddress(
        lines=tuple(lines),
        country=last_country,
        bfpo_number=int(bfpo_numbers[0]) if bfpo_numbers else None,
    )


def postal_address_problem(address: PostalAddress, *, can_send_international: bool) -> str | None:
    """The first of Notify's address rules the address breaks, as its message; None when it passes them all."""
    lines = address.normalised_lines
    if len(lines) < MIN_LINES:
        return TOO_FEW_LINES
    if len(lines) > MAX_LINES:
        return TOO_MANY_LINES
    if not all(_ALPHANUMERIC.search(line) for line in lines[:2]):
        return FIRST_LINES_NOT_ALPHANUMERIC
    if address.bfpo_number is not None and address.country is not None:
        return BFPO_WITH_COUNTRY
    if not _has_valid_last_line(address, can_send_international=can_send_international):
        return NOT_UK_POSTCODE_OR_COUNTRY if can_send_international else NOT_UK_POSTCODE
    if any(line[0] in _INVALID_FIRST_CHARACTERS for line in lines):
        return INVALID_FIRST_CHARACTER
    if any(line.upper() == "NFA" for line in lines) or _NO_FIXED_ABODE.search(" ".join(lines)):
        return NOT_A_REAL_ADDRESS
    return None


def _has_valid_last_line(address: PostalAddress, *, can_send_international: bool) -> bool:
    if address.bfpo_number is not None:
        return True
    if address.country is not None:
        return can_send_international
    return formatted_uk_postcode(address.lines[-1]) is not None


def check_postal_address(personalisation: Mapping[str, Any], *, can_send_international: bool) -> PostalAddress:
    """Read and check the address in ``personalisation``. Raises ValidationError with the first rule it breaks."""
    address = parse_postal_address(address_lines_from(personalisation))
    problem = postal_address_problem(address, can_send_international=can_send_international)
    if problem is not None:
        raise ValidationError([problem])
    return address
