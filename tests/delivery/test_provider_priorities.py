"""Error bursts move SMS weight away from a provider; the weights drift back to rest every five minutes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from freezegun import freeze_time

from app.clients.statsd_client import StatsdClient
from app.dao.provider_details_dao import dao_get_provider_details_by_identifier, dao_update_provider_details
from app.delivery.provider_priorities import (
    error_rate_key,
    record_sms_provider_error,
    tend_sms_providers_to_resting_points,
)
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener

# A day ahead of the wall clock, so rows the migrations stamp with the real now() count as already unchanged.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)


def _priorities() -> dict[str, int]:
    return {name: dao_get_provider_details_by_identifier(name).priority for name in ("mmg", "firetext")}


@pytest.fixture
def small_threshold(notify_api: Flask) -> Iterator[None]:
    original = notify_api.config["SMS_PROVIDER_ERROR_THRESHOLD"]
    notify_api.config["SMS_PROVIDER_ERROR_THRESHOLD"] = 5
    yield
    notify_api.config["SMS_PROVIDER_ERROR_THRESHOLD"] = original


@freeze_time(NOW)
def test_errors_below_the_threshold_move_no_weight(notify_db_session: None, small_threshold: None) -> None:
    moved = [record_sms_provider_error("mmg") for _ in range(4)]

    assert moved == [False] * 4
    assert _priorities() == {"mmg": 51, "firetext": 49}


@freeze_time(NOW)
def test_the_error_that_reaches_the_threshold_moves_ten_points(notify_db_session: None, small_threshold: None) -> None:
    moved = [record_sms_provider_error("mmg") for _ in range(5)]

    assert moved == [False] * 4 + [True]
    assert _priorities() == {"mmg": 41, "firetext": 59}


def test_errors_older_than_the_interval_do_not_count(notify_db_session: None, small_threshold: None) -> None:
    with freeze_time(NOW - timedelta(seconds=61)):
        for _ in range(4):
            record_sms_provider_error("mmg")

    with freeze_time(NOW):
        moved = record_sms_provider_error("mmg")

    assert moved is False


@freeze_time(NOW)
def test_the_error_window_starts_again_after_weight_moved(
    notify_api: Flask, notify_db_session: None, small_threshold: None
) -> None:
    for _ in range(5):
        record_sms_provider_error("mmg")

    assert notify_api.extensions["redis"].exists(error_rate_key("mmg")) == 0


@freeze_time(NOW)
def test_errors_are_not_counted_without_redis(
    notify_api: Flask, notify_db_session: None, small_threshold: None
) -> None:
    notify_api.config["REDIS_ENABLED"] = False
    try:
        moved = [record_sms_provider_error("mmg") for _ in range(6)]
    finally:
        notify_api.config["REDIS_ENABLED"] = True

    assert moved == [False] * 6


def test_tending_moves_weights_back_toward_their_resting_points(notify_db_session: None) -> None:
    with freeze_time(NOW - timedelta(minutes=20)):
        dao_update_provider_details(dao_get_provider_details_by_identifier("mmg"), reason="test", priority=21)
        dao_update_provider_details(dao_get_provider_details_by_identifier("firetext"), reason="test", priority=79)

    with freeze_time(NOW):
        changed = tend_sms_providers_to_resting_points()

    assert (sorted(changed), _priorities()) == (["firetext", "mmg"], {"mmg": 31, "firetext": 69})


@freeze_time(NOW)
def test_weight_moved_away_in_a_burst_is_counted_as_a_failover(
    notify_db_session: None,
    small_threshold: None,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    for _ in range(5):
        record_sms_provider_error("mmg")

    counters = [line for line in statsd_listener.receive_all() if ".providers." in line]
    assert counters == [f"{STATSD_PREFIX}.providers.mmg.priority-reduced:1|c"]
