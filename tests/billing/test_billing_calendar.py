"""UK days last 23, 24 or 25 hours; financial years run April to March."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.billing.calendar import financial_year_months, financial_year_of, uk_day_bounds, uk_today


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2024, 3, 31), 23), (date(2024, 10, 27), 25), (date(2024, 5, 10), 24)],
    ids=["bst-starts", "bst-ends", "summer"],
)
def test_a_uk_day_runs_from_london_midnight_to_london_midnight(day: date, hours: int) -> None:
    start, end = uk_day_bounds(day)

    assert (end - start).total_seconds() == hours * 3600


def test_a_summer_day_starts_at_23_00_utc_the_day_before() -> None:
    assert uk_day_bounds(date(2024, 5, 10))[0] == datetime(2024, 5, 9, 23, 0, tzinfo=UTC)


def test_today_is_the_london_date() -> None:
    assert uk_today(datetime(2024, 3, 31, 23, 30, tzinfo=UTC)) == date(2024, 4, 1)


@pytest.mark.parametrize(
    ("day", "year"), [(date(2024, 3, 31), 2023), (date(2024, 4, 1), 2024), (date(2025, 1, 15), 2024)]
)
def test_the_financial_year_starts_on_1_april(day: date, year: int) -> None:
    assert financial_year_of(day) == year


def test_a_financial_year_has_its_months_from_april_to_march() -> None:
    months = financial_year_months(2024)

    assert (months[0], months[8], months[9], months[-1]) == (
        date(2024, 4, 1),
        date(2024, 12, 1),
        date(2025, 1, 1),
        date(2025, 3, 1),
    )
    assert len(months) == 12
