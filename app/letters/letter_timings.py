"""When a letter should arrive: `estimated_delivery` in the v2 API (letters.md §6, Notify's LetterTimings).

The processing day is the London date 6 h 30 min after it was sent (after 17:30 is the next day); it is printed on
the next DVLA working day (Monday to Friday); then delivered 1 + the postage's maximum transit days later, counting
Royal Mail working days (Monday to Saturday for first class, Monday to Friday otherwise), at 16:00 London time.
Bank holidays are not counted as holidays here (no calendar is configured), so an estimate around one may be a day
early.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.letters.pdf_store import LONDON, PRINT_DAY_OFFSET
from app.models import LetterPostage

MAX_TRANSIT_DAYS = {
    LetterPostage.FIRST: 0,
    LetterPostage.SECOND: 4,
    LetterPostage.ECONOMY: 6,
    LetterPostage.EUROPE: 5,
    LetterPostage.REST_OF_WORLD: 7,
}
SATURDAY = 5
DELIVERY_TIME = time(16, 0)


def _next_working_day(day: date, *, saturday_works: bool) -> date:
    day += timedelta(days=1)
    while day.weekday() > SATURDAY or (day.weekday() == SATURDAY and not saturday_works):
        day += timedelta(days=1)
    return day


def estimated_delivery(created_at: datetime, postage: str) -> datetime:
    """The latest expected delivery, in UTC."""
    processing_day = (created_at.astimezone(LONDON) + PRINT_DAY_OFFSET).date()
    print_day = _next_working_day(processing_day, saturday_works=False)
    saturday_works = postage == LetterPostage.FIRST
    delivery_day = print_day
    for _ in range(1 + MAX_TRANSIT_DAYS[LetterPostage(postage)]):
        delivery_day = _next_working_day(delivery_day, saturday_works=saturday_works)
    return datetime.combine(delivery_day, DELIVERY_TIME, tzinfo=LONDON).astimezone(UTC)
