"""Pick a bounded batch of rows to change with `LIMIT ... FOR UPDATE SKIP LOCKED`, exactly once per statement."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select


def picked_once(rows: Select[uuid.UUID]) -> Select[uuid.UUID]:
    """Wrap a pick of ids in a MATERIALIZED CTE. As a plain `IN (subquery)` PostgreSQL may run the pick again for each
    row it checks, and a rescan skips the rows the statement has just changed, so more than the LIMIT are changed."""
    picked = rows.cte("picked").prefix_with("MATERIALIZED")
    return select(picked.c.id)
