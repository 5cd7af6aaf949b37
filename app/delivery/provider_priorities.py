"""Keep SMS weights healthy: move weight away from a provider in an error burst, drift weights back to rest."""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

import redis
from flask import current_app

from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.dao.provider_details_dao import dao_reduce_sms_provider_priority, dao_tend_sms_provider_priorities
from app.redis_store import redis_client

logger = logging.getLogger(__name__)

PRIORITY_STEP_POINTS = 10
# No burst moves weight within a minute of any change, so one burst cannot drain a provider in one go.
BURST_QUIET_PERIOD = timedelta(minutes=1)
# Weights drift back only once nothing (a burst, an admin) changed them for this long.
DRIFT_QUIET_PERIOD = timedelta(minutes=15)
SYSTEM_USER = "herald"


def error_rate_key(provider: str) -> str:
    return f"{provider}-error-rate"


def record_sms_provider_error(provider: str) -> bool:
    """Count one failed send to ``provider``; in an error burst move weight away from it (counted as
    `providers.<provider>.priority-reduced`: traffic is failing over). True when weight moved.

    The count is a Redis sorted set of error times (a sliding window). Without Redis nothing is counted.
    """
    interval_seconds = current_app.config["SMS_PROVIDER_ERROR_INTERVAL_SECONDS"]
    threshold = current_app.config["SMS_PROVIDER_ERROR_THRESHOLD"]
    errors = _count_error_in_window(provider, interval_seconds)
    if errors is None or errors < threshold:
        return False
    moved = dao_reduce_sms_provider_priority(
        provider,
        points=PRIORITY_STEP_POINTS,
        unchanged_since=utc_now() - BURST_QUIET_PERIOD,
        reason=f"{errors} send errors in {interval_seconds} seconds",
        updated_by=SYSTEM_USER,
    )
    if moved:
        logger.warning(
            "Moved %s points of SMS weight away from %s after %s errors in %s seconds",
            PRIORITY_STEP_POINTS,
            provider,
            errors,
            interval_seconds,
            extra={"provider": provider},
        )
        get_statsd_client().incr(f"providers.{provider}.priority-reduced")
        _forget_errors(provider)
    return moved


def tend_sms_providers_to_resting_points() -> list[str]:
    """Move each SMS provider's priority a step toward its resting point, unless one changed in the last 15 minutes.

    Returns the identifiers of the providers changed.
    """
    changed = dao_tend_sms_provider_priorities(
        current_app.config["SMS_PROVIDER_RESTING_POINTS"],
        points=PRIORITY_STEP_POINTS,
        unchanged_since=utc_now() - DRIFT_QUIET_PERIOD,
        updated_by=SYSTEM_USER,
    )
    for provider in changed:
        logger.info(
            "SMS provider %s drifted to priority %s",
            provider.identifier,
            provider.priority,
            extra={"provider": provider.identifier},
        )
    return [provider.identifier for provider in changed]


def _count_error_in_window(provider: str, interval_seconds: int) -> int | None:
    client = redis_client()
    if client is None:
        return None
    now = time.time()
    key = error_rate_key(provider)
    try:
        pipeline = client.pipeline(transaction=True)
        pipeline.zadd(key, {uuid.uuid4().hex: now})
        pipeline.zremrangebyscore(key, "-inf", now - interval_seconds)
        pipeline.zcard(key)
        pipeline.expire(key, interval_seconds)
        _added, _removed, errors, _expiry = pipeline.execute()
    except redis.RedisError:
        logger.warning("Redis unavailable: error of %s not counted", provider, extra={"provider": provider})
        return None
    return int(errors)


def _forget_errors(provider: str) -> None:
    client = redis_client()
    try:
        if client is not None:
            client.delete(error_rate_key(provider))
    except redis.RedisError:
        logger.warning("Redis unavailable: errors of %s not reset", provider, extra={"provider": provider})
