"""Read the quirky fields of inbound-SMS posts: MMG's URL-encoded text, provider timestamps, UK numbers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from urllib.parse import unquote_plus

from dateutil import tz

# dateutil falls back to its bundled time zone data where the system has none.
UK_TIME = tz.gettz("Europe/London")


def decode_mmg_message(message: str) -> str:
    """MMG sends the text URL-encoded, with `+` for a space."""
    return unquote_plus(message)


def parse_provider_time(value: str | None, *, naive_zone: tzinfo | None = UTC) -> datetime | None:
    """Parse ``2026-11-20 15:17:00`` (also URL-encoded, or ISO with an offset) to aware UTC; None when unreadable.

    A time without an offset is taken to be in ``naive_zone``.
    """
    if not value:
        return None
    parsed = _parse_iso(value.strip()) or _parse_iso(unquote_plus(value).strip())
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_zone or UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01 with a positive offset: before the first representable moment
        return None


def _parse_iso(value: str) -> datetime | None:
    # Tried as sent first: URL-decoding would turn the `+` of an offset into a space.
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def inbound_number_candidates(number: str) -> list[str]:
    """The forms our number may be stored in: UK numbers as 07… (a leading 44 becomes 0), then as sent."""
    number = number.strip().lstrip("+")
    national = "0" + number[2:] if number.startswith("44") else number
    return list(dict.fromkeys([national, number]))
