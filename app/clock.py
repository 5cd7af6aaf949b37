"""The one source of "now" (aware UTC), so tests can freeze it."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
