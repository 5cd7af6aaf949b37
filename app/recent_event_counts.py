"""Per-minute counts of events nothing else records (provider send errors, failed service callbacks), kept in Redis
for a day, for the operator console.

Each event is one INCR of the key of its minute (`recent-events:<kind>:<name>:<minute since the epoch>`), which
expires after a day and an hour: writing costs one round trip, and reading a window is one MGET. Without Redis (or
with Redis failing) nothing is counted and the console says the counts are unavailable.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

import redis

from app.clock import utc_now
from app.redis_store import redis_client

logger = logging.getLogger(__name__)

KEPT_SECONDS = 25 * 3600


class EventKind(StrEnum):
    PROVIDER_ERROR = "provider-error"  # name: the provider; a send it failed (retryable or no answer)
    CALLBACK_FAILURE = "callback-failure"  # name: retrying | refused | given-up


def _minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def _key(kind: EventKind, name: str, minute: int) -> str:
    return f"recent-events:{kind}:{name}:{minute}"


def count_recent_event(kind: EventKind, name: str) -> None:
    """Count one event now. Never raises: Redis failing only loses the count (logged as a warning)."""
    client = redis_client()
    if client is None:
        return
    key = _key(kind, name, _minute(utc_now()))
    try:
        pipeline = client.pipeline(transaction=False)
        pipeline.incr(key)
        pipeline.expire(key, KEPT_SECONDS)
        pipeline.execute()
    except redis.RedisError:
        logger.warning("Redis unavailable: %s of %s not counted", kind, name, extra={"event_kind": str(kind)})


def list_recent_event_counts(kind: EventKind, name: str, *, minutes: int) -> Sequence[int] | None:
    """The counts of the last ``minutes`` minutes, oldest first, the current minute last; None without Redis."""
    client = redis_client()
    if client is None:
        return None
    now = _minute(utc_now())
    keys = [_key(kind, name, minute) for minute in range(now - minutes + 1, now + 1)]
    try:
        values = client.mget(keys)
    except redis.RedisError:
        logger.warning("Redis unavailable: %s counts of %s not read", kind, name, extra={"event_kind": str(kind)})
        return None
    return [int(value) if value is not None else 0 for value in values]
