"""The keyed hash a notification's recipient is found by in support searches, in the live table and in history.

History keeps no recipient, so both tables carry HMAC-SHA256(RECIPIENT_SEARCH_KEY, normalised recipient) instead:
it matches an exact recipient a support operator types in, but cannot be reversed or matched without the key (an
unkeyed hash of a phone number is reversed by trying every number). A searched value is normalised by the same code
the send path uses, so `07700 900123` finds the `447700900123` a send stored.
"""

from __future__ import annotations

import hashlib
import hmac

from app.recipients.email_addresses import normalise_email_address, validate_email_address
from app.recipients.phone_numbers import parse_phone_number


def keyed_hash(key: str, value: str) -> str:
    """The hex HMAC-SHA256 of ``value`` under ``key``."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def recipient_search_hash(key: str, normalised_recipient: str | None) -> str | None:
    """The keyed hash of ``normalised_recipient``; None for None (letters, rows that could not be stored)."""
    return None if normalised_recipient is None else keyed_hash(key, normalised_recipient)


def normalise_searched_recipient(recipient: str) -> str:
    """Normalise a searched email address or mobile number as a send would have stored it.

    Raises `InvalidEmailError` or `InvalidPhoneError` (app.recipients.errors) when it is neither.
    """
    if "@" in recipient:
        return normalise_email_address(validate_email_address(recipient))
    return parse_phone_number(recipient).normalised
