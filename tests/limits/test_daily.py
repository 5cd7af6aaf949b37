"""Daily limits: which limits apply to a service, and the counter keys they are counted on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from app.limits.daily import DailyLimits, daily_count_key, daily_limits_for
from app.serialised_models import SerialisedService


def test_a_live_service_has_its_own_limits(make_service: Callable[..., SerialisedService]) -> None:
    service = make_service(sms_message_limit=1000, email_message_limit=2000, international_sms_message_limit=30)

    assert daily_limits_for(service, trial_daily_limit=50) == DailyLimits(
        sms=1000, email=2000, international_sms=30, letter=20_000
    )


def test_a_trial_service_sends_at_most_the_trial_limit_of_each_type_but_letters_keep_the_live_limit(
    make_service: Callable[..., SerialisedService],
) -> None:
    service = make_service(restricted=True, international_sms_message_limit=20)

    assert daily_limits_for(service, trial_daily_limit=50) == DailyLimits(
        sms=50, email=50, international_sms=20, letter=20_000
    )


def test_counter_key_names_the_service_type_and_utc_day() -> None:
    service_id = uuid.UUID("7f9ddcad-8ee4-4f8a-9c8e-4c0a8a2bcb36")

    key = daily_count_key(service_id, "international_sms", date(2026, 3, 1))

    assert key == "7f9ddcad-8ee4-4f8a-9c8e-4c0a8a2bcb36-international_sms-2026-03-01-count"
