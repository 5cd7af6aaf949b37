"""Validate and normalise email addresses the way GOV.UK Notify does (strict enough that SES never chokes).

The local part may only use ``a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-`` (quotes and semicolons cause SES technical
failures). The whole address is at most 320 characters with no `..`. The hostname, converted to ASCII with IDNA,
is at most 253 characters with at least two labels, each at most 63 characters of letters, digits and inner
hyphens (or an `xn--` punycode label); the last label is 2–63 letters or an `xn--` label.
"""

from __future__ import annotations

import re

from app.recipients.errors import InvalidEmailError

MAX_ADDRESS_LENGTH = 320
MAX_HOSTNAME_LENGTH = 253
MAX_LABEL_LENGTH = 63

VALID_LOCAL_PART_CHARACTERS = r"a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-"
_ADDRESS = re.compile(rf"[{VALID_LOCAL_PART_CHARACTERS}]+@([^.@][^@\s]+)")
_HOSTNAME_LABEL = re.compile(r"(xn|[a-z0-9]+)(-?-[a-z0-9]+)*", re.IGNORECASE)
_TOP_LEVEL_DOMAIN = re.compile(r"[a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+", re.IGNORECASE)
_INVISIBLE_CHARACTERS = re.compile("[\u180e\u200b\u200c\u200d\u2060\ufeff\u00a0]")


def strip_email_address(address: str) -> str:
    """Remove invisible characters (zero-width and no-break spaces) anywhere, and whitespace at the ends."""
    return _INVISIBLE_CHARACTERS.sub("", address).strip()


def validate_email_address(address: str) -> str:
    """Return the address stripped of surrounding whitespace. Raises `InvalidEmailError`."""
    stripped = strip_email_address(address)
    match = _ADDRESS.fullmatch(stripped)
    if not match or len(stripped) > MAX_ADDRESS_LENGTH or ".." in stripped:
        raise InvalidEmailError()
    _check_hostname(match.group(1))
    return stripped


def _check_hostname(hostname: str) -> None:
    try:
        ascii_hostname = hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise InvalidEmailError() from error
    labels = ascii_hostname.split(".")
    if len(ascii_hostname) > MAX_HOSTNAME_LENGTH or len(labels) < 2:
        raise InvalidEmailError()
    if not all(label and len(label) <= MAX_LABEL_LENGTH and _HOSTNAME_LABEL.fullmatch(label) for label in labels):
        raise InvalidEmailError()
    if not _TOP_LEVEL_DOMAIN.fullmatch(labels[-1]):
        raise InvalidEmailError()


def normalise_email_address(address: str) -> str:
    """Return the address lower-cased and stripped, for comparing addresses (no validation)."""
    return strip_email_address(address).lower()
