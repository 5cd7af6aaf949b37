"""Fixtures for the limits tests: the real test Redis, a dead one, and service snapshots to limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask

from app.redis_store import make_redis_client
from app.serialised_models import SerialisedService
from tests.factories import build_serialised_service


@pytest.fixture
def redis_store(notify_api: Flask, notify_db_session: None) -> redis.Redis:
    return notify_api.extensions["redis"]


@pytest.fixture
def dead_redis() -> redis.Redis:
    """A client pointed at a port nothing listens on: every command fails to connect."""
    return make_redis_client("redis://127.0.0.1:1/0", 0.2)


@pytest.fixture
def make_service() -> Callable[..., SerialisedService]:
    def make(**settings: Any) -> SerialisedService:
        defaults = {"name": "Limited service", "email_sender_local_part": "limited.service"}
        return build_serialised_service(**{**defaults, **settings})

    return make
