"""The GSM-7 alphabet: which characters an SMS carries without switching to unicode, and what each one costs.

Reference: 3GPP TS 23.038 §6.2.1 (default alphabet and its extension table). An extension character is sent as
an escape plus the character, so it costs two of the 160 (or 153) places in a GSM-7 message.
"""

from __future__ import annotations

GSM_BASIC_CHARACTERS = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION_CHARACTERS = frozenset("^{}\\[~]|€\f")
GSM_CHARACTERS = GSM_BASIC_CHARACTERS | GSM_EXTENSION_CHARACTERS

# Characters that look like a GSM character (or like nothing at all) and are sent as that instead, so that a
# curly quote pasted from a word processor does not halve the length of a text message.
LOOKALIKE_REPLACEMENTS: dict[str, str] = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u2033": '"',  # double prime
    "\u2026": "...",  # horizontal ellipsis
    "\t": " ",
    "\u00a0": " ",  # no-break space
    "\u2002": " ",  # en space
    "\u2003": " ",  # em space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u202f": " ",  # narrow no-break space
    "\u180e": "",  # Mongolian vowel separator
    "\u200b": "",  # zero width space
    "\u200c": "",  # zero width non-joiner
    "\u200d": "",  # zero width joiner
    "\u2060": "",  # word joiner
    "\ufeff": "",  # zero width no-break space
    "\u2028": "",  # line separator
    "\u2029": "",  # paragraph separator
}
_LOOKALIKE_TABLE = str.maketrans(LOOKALIKE_REPLACEMENTS)


def downgrade_lookalikes(text: str) -> str:
    """Replace each character of `LOOKALIKE_REPLACEMENTS` with its GSM form; leave every other character."""
    return text.translate(_LOOKALIKE_TABLE)


def non_gsm_characters(text: str) -> set[str]:
    return set(text) - GSM_CHARACTERS


def is_gsm_encodable(text: str) -> bool:
    """Whether every character of `text` (as given, no downgrading) is in the GSM-7 alphabet."""
    return not non_gsm_characters(text)


def count_encoded_units(text: str, *, is_unicode: bool) -> int:
    """Count the places `text` takes in a message: UCS-2/UTF-16 code units, or GSM-7 septets.

    In unicode a character outside the Basic Multilingual Plane (most emoji) takes two code units.
    In GSM-7 an extension character takes two septets.
    """
    if is_unicode:
        return len(text.encode("utf-16-le")) // 2
    return len(text) + sum(1 for character in text if character in GSM_EXTENSION_CHARACTERS)
