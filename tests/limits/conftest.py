"""Fixtures for the limits tests: the real test Redis, a dead one, and service snapshots to limit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import redis
from flask import Flask

from app.redis_store import make_redis_client
from app.serialised_models import SerialisedService


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
        service = SerialisedService(
            id=uuid.uuid4(),
            name="Limited service",
            active=True,
            restricted=False,
            rate_limit=3000,
            sms_message_limit=250_000,
            email_message_limit=250_000,
            international_sms_message_limit=100,
            email_sender_local_part="limited.service",
            custom_email_sender_name=None,
            prefix_sms=False,
            permissions=frozenset({"sms", "email", "international_sms"}),
            guest_list=frozenset(),
        )
        return replace(service, **settings)

    return make
