"""The one timestamp format of callback bodies (Notify's: ISO 8601, microseconds, `Z`)."""

from __future__ import annotations

from datetime import UTC, datetime

CALLBACK_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_callback_datetime(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime(CALLBACK_DATETIME_FORMAT) if moment else None
