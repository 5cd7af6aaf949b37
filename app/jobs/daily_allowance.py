"""A job's share of the service's daily limits, on the same Redis counters single sends count on.

The counters and the limits are those of `app/limits/daily.py`. A job takes its whole share in one
step when it starts, all or nothing, so two jobs cannot both squeeze into the last of the allowance and a job that
does not fit sends nothing (`sending limits exceeded`). Test keys are not counted. If Redis cannot be reached the
limits fail open, with a warning, as they do for single sends.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date

import redis

from app.errors import TooManyRequestsError
from app.limits.daily import COUNTER_TTL_SECONDS, INTERNATIONAL_SMS, LETTER, DailyLimits, daily_count_key
from app.models import KeyType, NotificationType

logger = logging.getLogger(__name__)

# KEYS: counters; ARGV: ttl, then (amount, limit) per counter. Adds nothing and returns the 1-based index of the first
# counter that would pass its limit, or adds every amount and returns 0.
_RESERVE_SCRIPT = """
for index, key in ipairs(KEYS) do
    local amount = tonumber(ARGV[index * 2])
    local limit = tonumber(ARGV[index * 2 + 1])
    if amount > 0 and tonumber(redis.call('GET', key) or '0') + amount > limit then
        return index
    end
end
for index, key in ipairs(KEYS) do
    local amount = tonumber(ARGV[index * 2])
    if amount > 0 then
        redis.call('INCRBY', key, amount)
        if redis.call('TTL', key) < 0 then
            redis.call('EXPIRE', key, ARGV[1])
        end
    end
end
return 0
"""


@dataclass(frozen=True)
class LimitShare:
    """How much of one daily limit a job takes."""

    name: str
    amount: int
    limit: int


def job_limit_shares(
    limits: DailyLimits, *, notification_type: str, key_type: str, row_count: int, international_count: int
) -> list[LimitShare]:
    """The limits a job's rows count against; none for a test key."""
    if key_type == KeyType.TEST:
        return []
    if notification_type == NotificationType.EMAIL:
        return [LimitShare(NotificationType.EMAIL.value, row_count, limits.email)]
    if notification_type == NotificationType.LETTER:
        return [LimitShare(LETTER, row_count, limits.letter)]
    return [
        LimitShare(NotificationType.SMS.value, row_count, limits.sms),
        LimitShare(INTERNATIONAL_SMS, international_count, limits.international_sms),
    ]


def check_daily_allowance(
    client: redis.Redis | None, service_id: uuid.UUID, shares: list[LimitShare], *, day: date
) -> None:
    """Raise TooManyRequestsError naming the first limit the shares would pass today (counters unchanged)."""
    if client is None or not shares:
        return
    try:
        counts = client.mget([daily_count_key(service_id, share.name, day) for share in shares])
    except redis.RedisError:
        _warn_failing_open(service_id)
        return
    for share, count in zip(shares, counts, strict=True):
        if share.amount and int(count or 0) + share.amount > share.limit:
            raise TooManyRequestsError(share.name, share.limit)


def reserve_daily_allowance(
    client: redis.Redis | None, service_id: uuid.UUID, shares: list[LimitShare], *, day: date
) -> LimitShare | None:
    """Add every share to today's counters if all fit; else add nothing and return the share that does not fit."""
    if client is None or not shares:
        return None
    keys = [daily_count_key(service_id, share.name, day) for share in shares]
    arguments: list[int] = [COUNTER_TTL_SECONDS]
    for share in shares:
        arguments.extend((share.amount, share.limit))
    try:
        refused = int(client.eval(_RESERVE_SCRIPT, len(keys), *keys, *arguments))
    except redis.RedisError:
        _warn_failing_open(service_id)
        return None
    return shares[refused - 1] if refused else None


def _warn_failing_open(service_id: uuid.UUID) -> None:
    logger.warning(
        "Redis unavailable: daily limits not applied to a job for service %s",
        service_id,
        extra={"service_id": str(service_id)},
    )
