"""A service's usage for a financial year: per month and channel, what was sent, what the free SMS allowance covered,
and what it cost.

Days up to the day before yesterday come from `ft_billing`. Yesterday and today (UK days) are computed live from the
notification tables, because the nightly build of yesterday may not have run yet and late receipts still move them;
the answer says which days were live. SMS billable units are fragments × the international rate multiplier; the
allowance covers them in date order until used up, and only the rest is charged. Emails are one unit each, letters
one unit per sheet, and neither has an allowance: every unit is chargeable, and a letter's cost is its rate for its
sheet count and postage.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import NoResultFound

from app.billing.calendar import financial_year_days, financial_year_months, uk_days_bounds, uk_today
from app.billing.facts import check_facts_are_priced
from app.dao.billing_dao import (
    BillingFact,
    dao_get_annual_billing,
    dao_list_billing_facts_from_notifications,
    dao_list_ft_billing_for_service,
)
from app.models import NotificationType

CHANNELS = (NotificationType.SMS, NotificationType.EMAIL, NotificationType.LETTER)
COST_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class FreeAllowance:
    financial_year_start: int
    free_sms_fragment_limit: int
    is_default: bool


@dataclass
class ChannelUsage:
    notification_type: str
    notifications: int = 0
    billable_units: int = 0
    chargeable_units: int = 0
    cost: Decimal = Decimal(0)

    def add(self, notifications: int, billable_units: int, chargeable_units: int, cost: Decimal) -> None:
        self.notifications += notifications
        self.billable_units += billable_units
        self.chargeable_units += chargeable_units
        self.cost += cost


@dataclass(frozen=True)
class MonthUsage:
    month: date
    channels: list[ChannelUsage]


@dataclass(frozen=True)
class YearUsage:
    allowance: FreeAllowance
    free_sms_fragments_used: int
    months: list[MonthUsage]
    totals: list[ChannelUsage]
    live_days: list[date]

    @property
    def free_sms_fragments_remaining(self) -> int:
        return self.allowance.free_sms_fragment_limit - self.free_sms_fragments_used

    @property
    def total_cost(self) -> Decimal:
        return sum((channel.cost for channel in self.totals), Decimal(0))


def free_allowance_for_year(service_id: uuid.UUID, financial_year_start: int, *, default_limit: int) -> FreeAllowance:
    """The service's free SMS fragments for the year: the figure set for it, else ``default_limit``."""
    try:
        row = dao_get_annual_billing(service_id, financial_year_start)
    except NoResultFound:
        return FreeAllowance(financial_year_start, default_limit, is_default=True)
    return FreeAllowance(financial_year_start, row.free_sms_fragment_limit, is_default=False)


def live_days_in_year(financial_year_start: int, now: datetime) -> list[date]:
    """Yesterday and today (UK) where they fall in the financial year."""
    first_day, last_day = financial_year_days(financial_year_start)
    today = uk_today(now)
    return [day for day in (today - timedelta(days=1), today) if first_day <= day <= last_day]


def _facts_for_year(service_id: uuid.UUID, financial_year_start: int, live_days: list[date]) -> list[BillingFact]:
    first_day, last_day = financial_year_days(financial_year_start)
    stored = [
        fact
        for fact in dao_list_ft_billing_for_service(service_id, first_day=first_day, last_day=last_day)
        if fact.bst_date not in live_days
    ]
    live: list[BillingFact] = []
    if live_days:
        start, end = uk_days_bounds(live_days[0], live_days[-1])
        live = dao_list_billing_facts_from_notifications(start, end, service_id=service_id)
    facts = sorted([*stored, *live], key=lambda fact: (fact.bst_date, fact.notification_type, fact.rate or 0))
    check_facts_are_priced(facts)
    return facts


def service_usage_for_year(
    service_id: uuid.UUID, financial_year_start: int, *, now: datetime, default_free_sms_fragment_limit: int
) -> YearUsage:
    """Usage per month (April to March) and channel, with totals and the allowance; raises MissingRateError when a
    billed notification has no rate."""
    allowance = free_allowance_for_year(service_id, financial_year_start, default_limit=default_free_sms_fragment_limit)
    live_days = live_days_in_year(financial_year_start, now)
    facts = _facts_for_year(service_id, financial_year_start, live_days)
    months = {
        month: {channel: ChannelUsage(channel) for channel in CHANNELS}
        for month in financial_year_months(financial_year_start)
    }
    free_used = _add_facts(months, facts, allowance.free_sms_fragment_limit)
    month_usages = [MonthUsage(month, list(channels.values())) for month, channels in months.items()]
    return YearUsage(
        allowance=allowance,
        free_sms_fragments_used=free_used,
        months=month_usages,
        totals=_totals(month_usages),
        live_days=live_days,
    )


def _add_facts(
    months: dict[date, dict[NotificationType, ChannelUsage]], facts: Iterable[BillingFact], free_limit: int
) -> int:
    """Add each fact to its month, spending the SMS allowance in date order; returns the free fragments used."""
    free_left = free_limit
    for fact in facts:
        rate = fact.rate or Decimal(0)
        usage = months[fact.bst_date.replace(day=1)][NotificationType(fact.notification_type)]
        if fact.notification_type == NotificationType.SMS:
            units = fact.billable_units * fact.rate_multiplier
            free = min(free_left, units)
            free_left -= free
            usage.add(fact.notifications_sent, units, units - free, (units - free) * rate)
        elif fact.notification_type == NotificationType.LETTER:
            usage.add(fact.notifications_sent, fact.billable_units, fact.billable_units, fact.notifications_sent * rate)
        else:
            usage.add(fact.notifications_sent, fact.billable_units, fact.billable_units, fact.billable_units * rate)
    return free_limit - free_left


def _totals(months: Sequence[MonthUsage]) -> list[ChannelUsage]:
    totals = {channel: ChannelUsage(channel) for channel in CHANNELS}
    for month in months:
        for usage in month.channels:
            totals[NotificationType(usage.notification_type)].add(
                usage.notifications, usage.billable_units, usage.chargeable_units, usage.cost
            )
    return list(totals.values())


def format_cost(cost: Decimal) -> str:
    """Pounds with four decimal places (SMS rates are in hundredths of a penny), never in exponent form."""
    return f"{cost.quantize(COST_PLACES):f}"
