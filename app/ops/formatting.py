"""How the console writes its numbers: counts with separators, durations and ages in the unit that reads best."""

from __future__ import annotations

from datetime import datetime

from app.clock import utc_now


def format_count(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def format_seconds(seconds: float | None) -> str:
    """0.42 s, 12.3 s, 4 min 05 s, 2 h 10 min; a dash for nothing measured."""
    if seconds is None:
        return "–"
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, remainder = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {remainder:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_age(moment: datetime | None) -> str:
    """How long ago, e.g. `3 min 05 s ago`."""
    if moment is None:
        return "–"
    return f"{format_seconds(max((utc_now() - moment).total_seconds(), 0))} ago"


def format_time(moment: datetime | None) -> str:
    return "–" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S UTC")


FORMATTERS = {
    "format_count": format_count,
    "format_seconds": format_seconds,
    "format_age": format_age,
    "format_time": format_time,
}
