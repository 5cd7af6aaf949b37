"""When a job may be scheduled for: an ISO 8601 date and time, not in the past, at most 96 hours ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.errors import ValidationError

MAX_SCHEDULE_AHEAD = timedelta(hours=96)

INVALID_FORMAT = (
    "scheduled_for datetime format is invalid. It must be a valid ISO8601 date time format, "
    "https://en.wikipedia.org/wiki/ISO_8601"
)
IN_THE_PAST = "scheduled_for datetime can not be in the past"
TOO_FAR_AHEAD = "scheduled_for datetime can only be up to 96 hours in the future"


def parse_scheduled_for(value: str, *, now: datetime) -> datetime:
    """Read `scheduled_for` (a time without an offset is UTC). Raises ValidationError with Notify's wording."""
    try:
        scheduled_for = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValidationError([INVALID_FORMAT]) from error
    if scheduled_for.tzinfo is None:
        scheduled_for = scheduled_for.replace(tzinfo=UTC)
    if scheduled_for < now:
        raise ValidationError([IN_THE_PAST])
    if scheduled_for > now + MAX_SCHEDULE_AHEAD:
        raise ValidationError([TOO_FAR_AHEAD])
    return scheduled_for.astimezone(UTC)
