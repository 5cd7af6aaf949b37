"""Build `ft_billing` for UK days from the notification tables: each day replaced whole, so a rebuild is harmless."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from app.billing.calendar import uk_day_bounds, uk_today
from app.dao.billing_dao import (
    NO_POSTAGE,
    BillingFact,
    dao_list_billing_facts_from_notifications,
    dao_replace_ft_billing_for_day,
)
from app.errors import HeraldError

logger = logging.getLogger(__name__)

# Yesterday and the day before: a receipt or a retry that comes after midnight still lands in the fact it belongs to.
NIGHTLY_DAYS = 2
MAX_REBUILD_DAYS = 3660


class MissingRateError(HeraldError):
    """Notifications were billed for which no rate was valid: an operator must add the rate, then rebuild."""

    status_code = 500
    error_type = "MissingRateError"


def check_facts_are_priced(facts: Sequence[BillingFact]) -> None:
    """Raise MissingRateError naming the first fact no rate was valid for."""
    for fact in facts:
        if fact.rate is None:
            what = fact.notification_type if fact.postage == NO_POSTAGE else f"{fact.postage} letter"
            raise MissingRateError(f"No {what} rate is valid on {fact.bst_date.isoformat()}")


def build_ft_billing_for_day(day: date) -> int:
    """Replace the UK day's `ft_billing` rows with what the notification tables hold now; returns how many rows.

    Raises MissingRateError, changing nothing, when a billed notification has no rate."""
    start, end = uk_day_bounds(day)
    facts = dao_list_billing_facts_from_notifications(start, end)
    check_facts_are_priced(facts)
    dao_replace_ft_billing_for_day(day, facts)
    logger.info("Built ft_billing for %s: %d rows", day.isoformat(), len(facts), extra={"bst_date": day.isoformat()})
    return len(facts)


def build_ft_billing_for_days(first_day: date, last_day: date) -> list[date]:
    """Rebuild every day from ``first_day`` to ``last_day``; each is its own transaction. Returns the days built.

    A day that cannot be priced is logged and skipped so the others are still built; the first such error is raised
    once all were tried."""
    built: list[date] = []
    first_error: MissingRateError | None = None
    day = first_day
    while day <= last_day:
        try:
            build_ft_billing_for_day(day)
            built.append(day)
        except MissingRateError as error:
            logger.error(
                "ft_billing for %s not built: %s", day.isoformat(), error.message, extra={"bst_date": str(day)}
            )
            first_error = first_error or error
        day += timedelta(days=1)
    if first_error is not None:
        raise first_error
    return built


def build_nightly_ft_billing(now: datetime) -> list[date]:
    """Build the facts of the last ``NIGHTLY_DAYS`` UK days before today."""
    today = uk_today(now)
    return build_ft_billing_for_days(today - timedelta(days=NIGHTLY_DAYS), today - timedelta(days=1))
