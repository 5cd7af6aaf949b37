"""How many rows a DML statement changed, read from its result in one typed place."""

from __future__ import annotations

from sqlalchemy import CursorResult


def rows_changed(result: object) -> int:
    """Return the row count of an UPDATE or DELETE; executing one always gives a `CursorResult`."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the result of an UPDATE or DELETE, got {type(result).__name__}")
    return int(result.rowcount)
