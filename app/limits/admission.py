"""Admit one POST send: take a rate-limit token and reserve today's allowance, in one Redis round trip.

A send reserves its place in the daily counters when it is admitted, so two requests racing for the last place
cannot both get it, and gives the place back if it ends without a stored notification (a refused request, a
smoke-test recipient, an idempotent replay, a failed enqueue): only accepted sends count. On the happy path that
costs one round trip (one EVALSHA); an international SMS adds one more for its own counter. A process that dies
between reserving and storing leaks one place for the rest of the day, never more.

When Redis cannot be reached the limits fail open: a warning, the `rate-limit.fail-open` counter, and the send goes
on (SPEC §4).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import TracebackType

import redis
from redis.commands.core import Script

from app.clients.statsd_client import get_statsd_client
from app.errors import RateLimitError, TooManyRequestsError
from app.limits.daily import COUNTER_TTL_SECONDS, INTERNATIONAL_SMS, DailyLimits, daily_count_key, daily_limits_for
from app.limits.rate_limit import rate_limit_bucket_key, token_bucket_for
from app.models import KeyType
from app.serialised_models import SerialisedService

logger = logging.getLogger(__name__)

FAIL_OPEN_METRIC = "rate-limit.fail-open"
BUCKET_EMPTY = -1

# KEYS[1]: the token bucket (a hash of `tokens` and `at`, Redis time in seconds); KEYS[2..]: daily counters.
# ARGV: take a token (1/0), refill per second, capacity, bucket expiry, counter expiry, then each counter's limit.
# Returns -1 when the bucket has no whole token (nothing changes); i >= 1 when counter KEYS[i + 1] is full (the
# token is spent, no counter changes); 0 when admitted (the token is spent and every counter counts one more).
ADMISSION_SCRIPT = """
if ARGV[1] == '1' then
    local refill, capacity = tonumber(ARGV[2]), tonumber(ARGV[3])
    local clock = redis.call('TIME')
    local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
    local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
    local tokens = tonumber(state[1]) or capacity
    local since = now - (tonumber(state[2]) or now)
    if since > 0 then tokens = math.min(capacity, tokens + since * refill) end
    local admitted = tokens >= 1
    if admitted then tokens = tokens - 1 end
    redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    if not admitted then return -1 end
end
for index = 2, #KEYS do
    if tonumber(redis.call('GET', KEYS[index]) or '0') + 1 > tonumber(ARGV[4 + index]) then
        return index - 1
    end
end
for index = 2, #KEYS do
    if redis.call('INCR', KEYS[index]) == 1 then redis.call('EXPIRE', KEYS[index], ARGV[5]) end
end
return 0
"""

# Give back one reserved place on each counter that still exists (an expired counter is not brought back).
RELEASE_SCRIPT = """
for index = 1, #KEYS do
    if redis.call('EXISTS', KEYS[index]) == 1 then redis.call('DECR', KEYS[index]) end
end
return 0
"""


@cache
def _script(client: redis.Redis, source: str) -> Script:
    return client.register_script(source)


def warn_failing_open(service_id: uuid.UUID, error: redis.RedisError) -> None:
    logger.warning(
        "Redis unavailable (%s): limits not applied for service %s",
        type(error).__name__,
        service_id,
        extra={"service_id": str(service_id)},
    )
    get_statsd_client().incr(FAIL_OPEN_METRIC)


@dataclass
class SendAllowance:
    """The daily places one send holds. Use it as a context manager: places not kept are given back on exit."""

    client: redis.Redis | None
    service_id: uuid.UUID
    day: date
    limits: DailyLimits | None  # None: the send is not counted (test key, or Redis failed open)
    reserved_keys: list[str] = field(default_factory=list)
    is_kept: bool = False

    def reserve_international(self) -> None:
        """Reserve a place on today's `international_sms` counter. Raises TooManyRequestsError when it is full."""
        if self.client is None or self.limits is None:
            return
        limit = self.limits.international_sms
        key = daily_count_key(self.service_id, INTERNATIONAL_SMS, self.day)
        arguments = [0, 0, 0, 0, COUNTER_TTL_SECONDS, limit]  # no token: the send was admitted already
        try:
            refused = int(_script(self.client, ADMISSION_SCRIPT)(keys=["", key], args=arguments))
        except redis.RedisError as error:
            warn_failing_open(self.service_id, error)
            return
        if refused:
            raise TooManyRequestsError(INTERNATIONAL_SMS, limit)
        self.reserved_keys.append(key)

    def keep(self) -> None:
        """The send was accepted: its places stay counted."""
        self.is_kept = True

    def release(self) -> None:
        """Give back every place not kept (at most once)."""
        if self.is_kept or not self.reserved_keys or self.client is None:
            return
        keys, self.reserved_keys = self.reserved_keys, []
        try:
            _script(self.client, RELEASE_SCRIPT)(keys=keys)
        except redis.RedisError as error:
            warn_failing_open(self.service_id, error)

    def __enter__(self) -> SendAllowance:
        return self

    def __exit__(
        self, error_type: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


def _token_arguments(service: SerialisedService, interval_seconds: int) -> list[float]:
    """The ADMISSION_SCRIPT arguments that take one token from the service's bucket (each daily limit follows)."""
    bucket = token_bucket_for(service.rate_limit, interval_seconds)
    return [1, bucket.refill_per_second, bucket.capacity, bucket.idle_expiry_seconds, COUNTER_TTL_SECONDS]


def take_rate_limit_token(
    client: redis.Redis | None, *, service: SerialisedService, key_type: str, interval_seconds: int
) -> None:
    """Take one token from the service's bucket for this key type, counting no daily limit (a bulk request: its
    rows are counted as a job). Raises RateLimitError when the bucket is empty; fails open without Redis."""
    if client is None:
        return
    arguments = _token_arguments(service, interval_seconds)
    try:
        outcome = int(
            _script(client, ADMISSION_SCRIPT)(keys=[rate_limit_bucket_key(service.id, key_type)], args=arguments)
        )
    except redis.RedisError as error:
        warn_failing_open(service.id, error)
        return
    if outcome == BUCKET_EMPTY:
        raise RateLimitError(key_type, service.rate_limit, interval_seconds)


def admit_send(
    client: redis.Redis | None,
    *,
    service: SerialisedService,
    key_type: str,
    notification_type: str,
    day: date,
    interval_seconds: int,
    trial_daily_limit: int,
) -> SendAllowance:
    """Take a token from the service's bucket for this key type and reserve a place on today's counter for the type.

    Raises RateLimitError when the bucket is empty and TooManyRequestsError when today's limit is reached (its
    token is spent all the same). Test keys take tokens but are never counted. ``client`` None: no limits.
    """
    limits = None if key_type == KeyType.TEST else daily_limits_for(service, trial_daily_limit=trial_daily_limit)
    allowance = SendAllowance(client=client, service_id=service.id, day=day, limits=limits)
    if client is None:
        return allowance
    counter_keys = [] if limits is None else [daily_count_key(service.id, notification_type, day)]
    counter_limits = [] if limits is None else [limits.limit_named(notification_type)]
    arguments = _token_arguments(service, interval_seconds)
    try:
        outcome = int(
            _script(client, ADMISSION_SCRIPT)(
                keys=[rate_limit_bucket_key(service.id, key_type), *counter_keys], args=[*arguments, *counter_limits]
            )
        )
    except redis.RedisError as error:
        warn_failing_open(service.id, error)
        return SendAllowance(client=None, service_id=service.id, day=day, limits=None)
    if outcome == BUCKET_EMPTY:
        raise RateLimitError(key_type, service.rate_limit, interval_seconds)
    if outcome:
        raise TooManyRequestsError(notification_type, counter_limits[outcome - 1])
    allowance.reserved_keys.extend(counter_keys)
    return allowance
