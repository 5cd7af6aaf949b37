"""How the v2 API writes datetimes: UTC, microseconds, a `Z` suffix (`2016-03-14T12:35:25.909000Z`)."""

from __future__ import annotations

from datetime import UTC, datetime

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_datetime(value: datetime | None) -> str | None:
    """Write ``value`` in UTC in DATETIME_FORMAT; None stays None. Naive datetimes are taken to be UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime(DATETIME_FORMAT)
