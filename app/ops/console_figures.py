"""Everything the console shows, gathered in one place: each panel one query (or one broker or Redis round trip),
cached for a refresh interval so any number of open consoles costs the database the same."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from app.caches import CacheName, app_cache
from app.clock import utc_now
from app.dao.ops_console_dao import (
    JobInProgress,
    MinuteCount,
    TrafficTotals,
    dao_count_pending_callbacks,
    dao_list_jobs_in_progress,
    dao_list_notification_counts_per_minute,
    dao_list_traffic_totals,
)
from app.dao.provider_details_dao import dao_list_provider_details
from app.models import ProviderDetails
from app.ops.charts import Chart, minute_chart
from app.ops.queue_depths import list_queue_depths
from app.recent_event_counts import EventKind, list_recent_event_counts

HOUR_MINUTES = 60
DAY_MINUTES = 24 * 60
# The day's figures scan up to a day of notifications: a minute old at most is fresh enough for a day.
DAY_FIGURES_CACHE_SECONDS = 60
JOBS_SHOWN = 20
CHANNELS = ("sms", "email")
LANES = ("priority", "normal", "bulk")
CALLBACK_OUTCOMES = ("retrying", "refused", "given-up")
PROVIDER_PALETTE = ("mmg", "firetext", "ses")
CHANNEL_PALETTE = ("sms", "email", "letter")

_FIGURES = CacheName["ConsoleFigures"]("ops_console_figures")
_DAY_TRAFFIC = CacheName[list[TrafficTotals]]("ops_console_day_traffic")


@dataclass(frozen=True)
class ProviderFigures:
    identifier: str
    display_name: str
    notification_type: str
    priority: int
    share_percent: float | None  # of its channel's active weight
    active: bool
    taken_last_hour: int
    errors_last_hour: int | None  # None: Redis unavailable
    errors_last_day: int | None
    last_change: str | None
    last_changed_at: datetime | None


@dataclass(frozen=True)
class CallbackFigures:
    pending_count: int
    oldest_pending_at: datetime | None
    queued: int | None
    failures_last_hour: dict[str, int] | None
    failures_last_day: dict[str, int] | None


@dataclass(frozen=True)
class ConsoleFigures:
    generated_at: datetime
    hour_traffic: Sequence[TrafficTotals]
    day_traffic: Sequence[TrafficTotals]
    charts: Sequence[Chart]
    queue_depths: dict[str, int] | None
    providers: Sequence[ProviderFigures]
    callbacks: CallbackFigures
    jobs: Sequence[JobInProgress]


def console_figures() -> ConsoleFigures:
    """The figures as of at most OPS_REFRESH_SECONDS ago (the day's traffic: a minute)."""
    cache = app_cache(_FIGURES, current_app.config["OPS_REFRESH_SECONDS"])
    return cache.get("figures", gather_console_figures)


def gather_console_figures() -> ConsoleFigures:
    now = utc_now()
    first_minute = now.replace(second=0, microsecond=0) - timedelta(minutes=HOUR_MINUTES - 1)
    per_minute = dao_list_notification_counts_per_minute(first_minute)
    providers = dao_list_provider_details()
    provider_errors = {
        provider.identifier: list_recent_event_counts(
            EventKind.PROVIDER_ERROR, provider.identifier, minutes=DAY_MINUTES
        )
        for provider in providers
    }
    queue_depths = list_queue_depths()
    return ConsoleFigures(
        generated_at=now,
        hour_traffic=_complete(dao_list_traffic_totals(now - timedelta(hours=1))),
        day_traffic=_complete(_day_traffic(now)),
        charts=_charts(per_minute, provider_errors, first_minute),
        queue_depths=queue_depths,
        providers=_providers(providers, per_minute, provider_errors),
        callbacks=_callbacks(queue_depths),
        jobs=dao_list_jobs_in_progress(JOBS_SHOWN),
    )


def _provider_errors(provider: str) -> Sequence[int] | None:
    return list_recent_event_counts(EventKind.PROVIDER_ERROR, provider, minutes=DAY_MINUTES)


def _day_traffic(now: datetime) -> list[TrafficTotals]:
    cache = app_cache(_DAY_TRAFFIC, DAY_FIGURES_CACHE_SECONDS)
    return cache.get("day", lambda: dao_list_traffic_totals(now - timedelta(days=1)))


def _complete(totals: Sequence[TrafficTotals]) -> list[TrafficTotals]:
    """Every channel and lane, zeros where nothing was sent (letters only when there were some), in a fixed order."""
    found = {(row.notification_type, row.lane): row for row in totals}
    channels = list(CHANNELS) + sorted({row.notification_type for row in totals} - set(CHANNELS))
    return [
        found.get((channel, lane)) or TrafficTotals(channel, lane, 0, 0, 0, 0, 0, 0, None)
        for channel in channels
        for lane in LANES
    ]


def _minute_series(
    per_minute: Sequence[MinuteCount], first_minute: datetime, key: str, value: str
) -> dict[str, list[int]]:
    series: dict[str, list[int]] = defaultdict(lambda: [0] * HOUR_MINUTES)
    for row in per_minute:
        name = getattr(row, key)
        index = int((row.minute - first_minute).total_seconds() // 60)
        if name is not None and 0 <= index < HOUR_MINUTES:
            series[name][index] += getattr(row, value)
    return dict(series)


def _charts(
    per_minute: Sequence[MinuteCount],
    provider_errors: dict[str, Sequence[int] | None],
    first_minute: datetime,
) -> list[Chart]:
    errors = {name: list(counts[-HOUR_MINUTES:]) for name, counts in provider_errors.items() if counts is not None}
    return [
        minute_chart(
            title="Accepted",
            description="Notifications accepted per minute, by channel",
            series=_minute_series(per_minute, first_minute, "notification_type", "accepted")
            or {channel: [0] * HOUR_MINUTES for channel in CHANNELS},
            first_minute=first_minute,
            palette=CHANNEL_PALETTE,
        ),
        minute_chart(
            title="Taken by provider",
            description="Notifications a provider took, per minute they were accepted, by provider",
            series=_minute_series(per_minute, first_minute, "sent_by", "sent"),
            first_minute=first_minute,
            palette=PROVIDER_PALETTE,
        ),
        minute_chart(
            title="Provider errors",
            description="Sends a provider failed or did not answer, per minute, by provider",
            series={name: counts for name, counts in errors.items() if any(counts)}
            or {name: counts for name, counts in errors.items()},
            first_minute=first_minute,
            palette=PROVIDER_PALETTE,
        ),
        minute_chart(
            title="Failed",
            description="Notifications that failed (any failure status), per minute they were accepted, by channel",
            series=_minute_series(per_minute, first_minute, "notification_type", "failed")
            or {channel: [0] * HOUR_MINUTES for channel in CHANNELS},
            first_minute=first_minute,
            palette=CHANNEL_PALETTE,
        ),
    ]


def _providers(
    providers: Sequence[ProviderDetails],
    per_minute: Sequence[MinuteCount],
    provider_errors: dict[str, Sequence[int] | None],
) -> list[ProviderFigures]:
    active_weight: dict[str, int] = defaultdict(int)
    for provider in providers:
        if provider.active:
            active_weight[provider.notification_type] += max(provider.priority, 0)
    taken: dict[str, int] = defaultdict(int)
    for row in per_minute:
        if row.sent_by is not None:
            taken[row.sent_by] += row.sent
    figures = []
    for provider in providers:
        errors = provider_errors.get(provider.identifier)
        weight = active_weight[provider.notification_type]
        figures.append(
            ProviderFigures(
                identifier=provider.identifier,
                display_name=provider.display_name,
                notification_type=provider.notification_type,
                priority=provider.priority,
                share_percent=100 * provider.priority / weight if provider.active and weight else None,
                active=provider.active,
                taken_last_hour=taken[provider.identifier],
                errors_last_hour=sum(errors[-HOUR_MINUTES:]) if errors is not None else None,
                errors_last_day=sum(errors) if errors is not None else None,
                last_change=provider.reason,
                last_changed_at=provider.updated_at,
            )
        )
    return figures


def _callbacks(queue_depths: dict[str, int] | None) -> CallbackFigures:
    pending_count, oldest_pending_at = dao_count_pending_callbacks()
    failures = {
        outcome: list_recent_event_counts(EventKind.CALLBACK_FAILURE, outcome, minutes=DAY_MINUTES)
        for outcome in CALLBACK_OUTCOMES
    }
    is_counted = all(counts is not None for counts in failures.values())
    return CallbackFigures(
        pending_count=pending_count,
        oldest_pending_at=oldest_pending_at,
        queued=queue_depths.get("callbacks") if queue_depths is not None else None,
        failures_last_hour={name: sum(counts[-HOUR_MINUTES:]) for name, counts in failures.items() if counts}
        if is_counted
        else None,
        failures_last_day={name: sum(counts) for name, counts in failures.items() if counts} if is_counted else None,
    )
