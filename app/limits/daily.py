"""Daily sending limits per service and type, counted in Redis (SPEC §4, notify-reference §9.2).

Counters are `<service_id>-<limit name>-<yyyy-mm-dd>-count` (UTC day) and live 24 hours from their first count.
The names are `sms`, `email`, `letter`, and `international_sms` for numbers outside the UK, which count against
`sms` as well. A trial service may send at most TRIAL_DAILY_LIMIT of each a day. Test keys are never counted. Bulk jobs
count on the same counters (`app/jobs/daily_allowance.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.serialised_models import SerialisedService

COUNTER_TTL_SECONDS = 24 * 60 * 60
SMS = "sms"
EMAIL = "email"
INTERNATIONAL_SMS = "international_sms"
LETTER = "letter"


@dataclass(frozen=True)
class DailyLimits:
    sms: int
    email: int
    international_sms: int
    letter: int

    def limit_named(self, limit_name: str) -> int:
        return {
            SMS: self.sms,
            EMAIL: self.email,
            INTERNATIONAL_SMS: self.international_sms,
            LETTER: self.letter,
        }[limit_name]


def daily_limits_for(service: SerialisedService, *, trial_daily_limit: int) -> DailyLimits:
    """The service's limits for today; a trial (restricted) service gets at most ``trial_daily_limit`` of each,
    except letters: a trial service sends those only with a test key, and Notify gives it the live letter limit."""
    limits = DailyLimits(
        sms=service.sms_message_limit,
        email=service.email_message_limit,
        international_sms=service.international_sms_message_limit,
        letter=service.letter_message_limit,
    )
    if not service.restricted:
        return limits
    return DailyLimits(
        sms=min(limits.sms, trial_daily_limit),
        email=min(limits.email, trial_daily_limit),
        international_sms=min(limits.international_sms, trial_daily_limit),
        letter=limits.letter,
    )


def daily_count_key(service_id: uuid.UUID | str, limit_name: str, day: date) -> str:
    return f"{service_id}-{limit_name}-{day:%Y-%m-%d}-count"
