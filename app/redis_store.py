"""The Redis client used for limits and short-lived state, with tight timeouts so a dead Redis fails fast."""

from __future__ import annotations

import redis
from flask import Flask, current_app


def make_redis_client(redis_url: str, socket_timeout_seconds: float) -> redis.Redis:
    return redis.Redis.from_url(
        redis_url,
        socket_timeout=socket_timeout_seconds,
        socket_connect_timeout=socket_timeout_seconds,
        health_check_interval=30,
    )


def init_redis(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    client = make_redis_client(url, app.config["REDIS_SOCKET_TIMEOUT_SECONDS"]) if url else None
    app.extensions["redis"] = client


def redis_client() -> redis.Redis | None:
    """The app's Redis client, or None when Redis is not configured or disabled."""
    if not current_app.config["REDIS_ENABLED"]:
        return None
    return current_app.extensions.get("redis")
