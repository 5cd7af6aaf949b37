"""Compare a recipient with a service's team members and guest list, after normalising both sides."""

from __future__ import annotations

from collections.abc import Iterable

from app.recipients.email_addresses import normalise_email_address
from app.recipients.errors import InvalidPhoneError
from app.recipients.phone_numbers import validate_phone_number_format


def normalise_recipient_for_comparison(recipient: str) -> str:
    """Email addresses lower-cased; phone numbers in E.164 without `+` when valid, else lower-cased as given.

    Idempotent, so normalising a stored, already normalised guest-list entry again changes nothing.
    """
    if "@" in recipient:
        return normalise_email_address(recipient)
    try:
        return validate_phone_number_format(recipient)
    except InvalidPhoneError:
        return recipient.strip().lower()


def is_recipient_allowed(recipient: str, allowed: Iterable[str]) -> bool:
    """Whether `recipient` is one of `allowed` (team members' and guest-list addresses and numbers)."""
    normalised = normalise_recipient_for_comparison(recipient)
    return any(normalise_recipient_for_comparison(candidate) == normalised for candidate in allowed)
