"""Provider weights: moving points away from a failing SMS provider and drifting back, each change in history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from app.dao.provider_details_dao import (
    dao_get_provider_details_by_identifier,
    dao_list_provider_details_versions,
    dao_reduce_sms_provider_priority,
    dao_tend_sms_provider_priorities,
    dao_update_provider_details,
)

# A day ahead of the wall clock, so rows the migrations stamp with the real now() count as already unchanged.
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
RESTING = {"mmg": 51, "firetext": 49}


def _priorities() -> dict[str, int]:
    return {identifier: dao_get_provider_details_by_identifier(identifier).priority for identifier in RESTING}


def _set_priority(identifier: str, priority: int, *, at: datetime) -> None:
    with freeze_time(at):
        dao_update_provider_details(
            dao_get_provider_details_by_identifier(identifier), reason="test set-up", priority=priority
        )


def _reduce(identifier: str = "mmg", *, points: int = 10) -> bool:
    return dao_reduce_sms_provider_priority(
        identifier, points=points, unchanged_since=NOW - timedelta(minutes=1), reason="burst", updated_by="herald"
    )


@freeze_time(NOW)
def test_reducing_moves_points_to_the_other_provider(notify_db_session: None) -> None:
    moved = _reduce("mmg")

    assert moved is True
    assert _priorities() == {"mmg": 41, "firetext": 59}


@freeze_time(NOW)
def test_reducing_writes_a_history_row_with_the_reason(notify_db_session: None) -> None:
    _reduce("mmg")

    latest = dao_list_provider_details_versions(dao_get_provider_details_by_identifier("mmg").id)[0]
    assert (latest.version, latest.priority, latest.reason, latest.created_by) == (2, 41, "burst", "herald")


@freeze_time(NOW)
def test_reducing_never_goes_below_zero(notify_db_session: None) -> None:
    _set_priority("mmg", 4, at=NOW - timedelta(hours=1))
    _set_priority("firetext", 96, at=NOW - timedelta(hours=1))

    _reduce("mmg")

    assert _priorities() == {"mmg": 0, "firetext": 100}


@freeze_time(NOW)
def test_reducing_does_nothing_within_a_minute_of_a_change(notify_db_session: None) -> None:
    _set_priority("firetext", 49, at=NOW - timedelta(seconds=30))

    moved = _reduce("mmg")

    assert moved is False
    assert _priorities() == RESTING


@freeze_time(NOW)
def test_reducing_does_nothing_without_an_active_provider_to_take_the_weight(notify_db_session: None) -> None:
    with freeze_time(NOW - timedelta(hours=1)):
        dao_update_provider_details(
            dao_get_provider_details_by_identifier("firetext"), reason="switched off", active=False
        )

    moved = _reduce("mmg")

    assert moved is False
    assert _priorities() == RESTING


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ({"mmg": 21, "firetext": 79}, {"mmg": 31, "firetext": 69}),
        ({"mmg": 55, "firetext": 45}, {"mmg": 51, "firetext": 49}),
        ({"mmg": 51, "firetext": 60}, {"mmg": 51, "firetext": 50}),
    ],
    ids=["ten points back", "the last few points", "only the provider away from rest"],
)
@freeze_time(NOW)
def test_tending_moves_each_provider_toward_its_resting_point(
    notify_db_session: None, start: dict[str, int], expected: dict[str, int]
) -> None:
    for identifier, priority in start.items():
        _set_priority(identifier, priority, at=NOW - timedelta(minutes=20))

    dao_tend_sms_provider_priorities(
        RESTING, points=10, unchanged_since=NOW - timedelta(minutes=15), updated_by="herald"
    )

    assert _priorities() == expected


@freeze_time(NOW)
def test_tending_does_nothing_within_fifteen_minutes_of_a_change(notify_db_session: None) -> None:
    _set_priority("mmg", 21, at=NOW - timedelta(minutes=20))
    _set_priority("firetext", 79, at=NOW - timedelta(minutes=10))

    changed = dao_tend_sms_provider_priorities(
        RESTING, points=10, unchanged_since=NOW - timedelta(minutes=15), updated_by="herald"
    )

    assert changed == []
    assert _priorities() == {"mmg": 21, "firetext": 79}


@freeze_time(NOW)
def test_tending_records_why_in_history(notify_db_session: None) -> None:
    _set_priority("mmg", 21, at=NOW - timedelta(minutes=20))

    dao_tend_sms_provider_priorities(
        RESTING, points=10, unchanged_since=NOW - timedelta(minutes=15), updated_by="herald"
    )

    latest = dao_list_provider_details_versions(dao_get_provider_details_by_identifier("mmg").id)[0]
    assert (latest.priority, latest.reason) == (31, "Moved 10 points toward its resting priority of 51")
