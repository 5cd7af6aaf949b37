"""Which country a postal address's last line names, and its postage zone (letters.md §2.2).

Names come from ISO 3166 (pycountry) with GOV.UK's common names, plus the synonyms and territories Notify accepts.
Matching ignores case, spaces and `_ - ' ’ , . ( )`, reads `&` and `+` as "and", transliterates accents and also
tries the line without a leading "the", "yr" or "y". A line with a digit is never a country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

UNITED_KINGDOM = "United Kingdom"
EUROPE = "europe"
REST_OF_WORLD = "rest-of-world"

# GOV.UK's names where ISO's differ (alpha-2 code -> name).
_COMMON_NAMES = {
    "BO": "Bolivia", "CD": "Congo (Democratic Republic)", "CI": "Ivory Coast", "FM": "Micronesia", "IR": "Iran",
    "KP": "North Korea", "KR": "South Korea", "LA": "Laos", "MD": "Moldova", "PS": "Occupied Palestinian Territories",
    "RU": "Russia", "SY": "Syria", "TR": "Turkey", "TW": "Taiwan", "TZ": "Tanzania", "US": "USA",
    "VA": "Vatican City", "VE": "Venezuela", "VN": "Vietnam", "BN": "Brunei", "CV": "Cape Verde",
    "FK": "Falkland Islands", "GM": "The Gambia", "BS": "The Bahamas", "MM": "Myanmar (Burma)",
    "SZ": "Eswatini", "VG": "British Virgin Islands", "VI": "United States Virgin Islands",
    "SH": "St Helena, Ascension and Tristan da Cunha", "KN": "St Kitts and Nevis", "LC": "St Lucia",
    "VC": "St Vincent", "PN": "Pitcairn, Henderson, Ducie and Oeno Islands", "MF": "St Martin",
    "BL": "St Barthelemy", "PM": "St Pierre & Miquelon", "SX": "Sint Maarten (Dutch part)",
}  # fmt: skip

# The Crown dependencies are UK addresses (they use UK postcodes: GY, JE, IM).
_UNITED_KINGDOM_NAMES = (
    "United Kingdom", "UK", "U.K.", "GB", "GBR", "Great Britain", "Britain", "England", "Wales", "Cymru",
    "Scotland", "Alba", "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland",
    "Alderney", "Brecqhou", "Guernsey", "Herm", "Isle of Man", "Jersey", "Jethou", "Sark", "Channel Islands",
    "Y Deyrnas Unedig", "Lloegr", "Yr Alban", "Gogledd Iwerddon",
)  # fmt: skip

_SYNONYMS = {
    "Deutschland": "Germany", "Allemagne": "Germany", "East Germany": "Germany", "West Germany": "Germany",
    "Yr Almaen": "Germany", "America": "USA", "United States of America": "USA", "US": "USA", "U.S.A.": "USA",
    "ROI": "Ireland", "Republic of Ireland": "Ireland", "Eire": "Ireland", "Iwerddon": "Ireland",
    "Holland": "Netherlands", "The Netherlands": "Netherlands", "Czechoslovakia": "Czechia",
    "Czech Republic": "Czechia", "Macedonia": "North Macedonia", "Türkiye": "Turkey", "Turkiye": "Turkey",
    "Russian Federation": "Russia", "Ffrainc": "France", "Sbaen": "Spain", "Yr Eidal": "Italy",
    "Holy See": "Vatican City", "Burma": "Myanmar (Burma)", "Swaziland": "Eswatini", "Ivory Coast": "Ivory Coast",
    "Cote d'Ivoire": "Ivory Coast", "South Korea": "South Korea", "North Korea": "North Korea",
    "Palestine": "Occupied Palestinian Territories", "UAE": "United Arab Emirates",
}  # fmt: skip

# Places outside ISO 3166-1 that Notify's list names, each a country for postage.
_EXTRA_TERRITORIES = ("Azores", "Balearic Islands", "Canary Islands", "Corsica", "Kosovo", "Madeira")

# Notify's `europe` postage zone (utils countries/_data/europe.txt); every other non-UK country is rest-of-world.
_EUROPE = frozenset(
    {
        "Albania", "Andorra", "Armenia", "Austria", "Azerbaijan", "Azores", "Balearic Islands", "Belarus",
        "Belgium", "Bosnia and Herzegovina", "Bulgaria", "Canary Islands", "Corsica", "Croatia", "Cyprus",
        "Czechia", "Denmark", "Estonia", "Faroe Islands", "Finland", "France", "Georgia", "Germany", "Gibraltar",
        "Greece", "Greenland", "Hungary", "Iceland", "Ireland", "Italy", "Kazakhstan", "Kosovo", "Kyrgyzstan",
        "Latvia", "Liechtenstein", "Lithuania", "Luxembourg", "North Macedonia", "Madeira", "Malta", "Moldova",
        "Monaco", "Montenegro", "Netherlands", "Norway", "Poland", "Portugal", "Romania", "Russia", "San Marino",
        "Serbia", "Slovakia", "Slovenia", "Spain", "Sweden", "Switzerland", "Tajikistan", "Turkey",
        "Turkmenistan", "Ukraine", "Uzbekistan", "Vatican City",
    }
)  # fmt: skip

_IGNORED = re.compile(r"[\s_\-'’,.()]")
_PREFIXES = ("the", "yr", "y")


@dataclass(frozen=True)
class Country:
    name: str

    @property
    def is_united_kingdom(self) -> bool:
        return self.name == UNITED_KINGDOM

    @property
    def postage_zone(self) -> str:
        return EUROPE if self.name in _EUROPE else REST_OF_WORLD


def _key(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _IGNORED.sub("", ascii_text.lower().replace("&", "and").replace("+", "and"))


@cache
def _names() -> dict[str, str]:
    """Every accepted spelling's key -> the canonical country name."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        canonical = _COMMON_NAMES.get(country.alpha_2) or getattr(country, "common_name", None) or country.name
        for spelling in (country.name, getattr(country, "official_name", None), canonical):
            if spelling:
                names[_key(spelling)] = canonical
    for territory in _EXTRA_TERRITORIES:
        names[_key(territory)] = territory
    for synonym, canonical in _SYNONYMS.items():
        names[_key(synonym)] = canonical
    for name in _UNITED_KINGDOM_NAMES:
        names[_key(name)] = UNITED_KINGDOM
    return names


def country_named_by(line: str) -> Country | None:
    """The country ``line`` names, or None (always None for a line with a digit)."""
    if any(character.isdigit() for character in line):
        return None
    key = _key(line)
    names = _names()
    if key in names:
        return Country(names[key])
    for prefix in _PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in names:
            return Country(names[key[len(prefix) :]])
    return None
