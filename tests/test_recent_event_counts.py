"""Per-minute event counts in Redis: counted in the minute they happen, read back oldest first, never raising."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from flask import Flask
from freezegun import freeze_time

from app.recent_event_counts import KEPT_SECONDS, EventKind, count_recent_event, list_recent_event_counts

START = datetime(2026, 12, 6, 12, 0, 30, tzinfo=UTC)


def test_events_are_counted_in_the_minute_they_happen(notify_db_session: None) -> None:
    with freeze_time(START):
        count_recent_event(EventKind.PROVIDER_ERROR, "mmg")
    with freeze_time(START + timedelta(minutes=2)):
        count_recent_event(EventKind.PROVIDER_ERROR, "mmg")
        count_recent_event(EventKind.PROVIDER_ERROR, "mmg")
        count_recent_event(EventKind.PROVIDER_ERROR, "firetext")

        counts = list_recent_event_counts(EventKind.PROVIDER_ERROR, "mmg", minutes=4)

    assert counts == [0, 1, 0, 2]


def test_a_count_expires_after_a_day_and_an_hour(notify_api: Flask, notify_db_session: None) -> None:
    with freeze_time(START):
        count_recent_event(EventKind.CALLBACK_FAILURE, "refused")

    keys = notify_api.extensions["redis"].keys("recent-events:callback-failure:refused:*")

    assert len(keys) == 1
    assert 0 < notify_api.extensions["redis"].ttl(keys[0]) <= KEPT_SECONDS


def test_without_redis_nothing_is_counted_and_the_counts_are_unknown(
    notify_api: Flask, notify_db_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "REDIS_ENABLED", False)

    count_recent_event(EventKind.PROVIDER_ERROR, "mmg")

    assert list_recent_event_counts(EventKind.PROVIDER_ERROR, "mmg", minutes=5) is None


def test_redis_failing_loses_the_count_without_raising(
    notify_api: Flask, notify_db_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("down")

    monkeypatch.setattr(redis.client.Pipeline, "execute", refuse)
    monkeypatch.setattr(redis.Redis, "mget", refuse)

    count_recent_event(EventKind.PROVIDER_ERROR, "mmg")

    assert list_recent_event_counts(EventKind.PROVIDER_ERROR, "mmg", minutes=5) is None
