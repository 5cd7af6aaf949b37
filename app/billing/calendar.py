"""UK days and financial years: billing days run midnight to midnight in London, years from April to March."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK_TIME_ZONE = ZoneInfo("Europe/London")
FIRST_FINANCIAL_MONTH = 4


def uk_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which ``day`` starts and the next day starts in London: 23, 24 or 25 hours apart."""
    # UK clocks change at 01:00 UTC, never at midnight, so every London midnight exists exactly once.
    start = datetime.combine(day, time.min, tzinfo=UK_TIME_ZONE).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UK_TIME_ZONE).astimezone(UTC)
    return start, end


def uk_days_bounds(first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """The UTC instants at which ``first_day`` starts and the day after ``last_day`` starts in London."""
    return uk_day_bounds(first_day)[0], uk_day_bounds(last_day)[1]


def uk_today(now: datetime) -> date:
    return now.astimezone(UK_TIME_ZONE).date()


def financial_year_of(day: date) -> int:
    """The year in which the financial year holding ``day`` started (1 April)."""
    return day.year if day.month >= FIRST_FINANCIAL_MONTH else day.year - 1


def financial_year_days(financial_year_start: int) -> tuple[date, date]:
    """The first and last day of the financial year: 1 April and the next 31 March."""
    return date(financial_year_start, FIRST_FINANCIAL_MONTH, 1), date(financial_year_start + 1, 3, 31)


def financial_year_months(financial_year_start: int) -> list[date]:
    """The first day of each month of the financial year, April to March."""
    return [
        date(financial_year_start + (month < FIRST_FINANCIAL_MONTH), month, 1)
        for month in (*range(FIRST_FINANCIAL_MONTH, 13), *range(1, FIRST_FINANCIAL_MONTH))
    ]
