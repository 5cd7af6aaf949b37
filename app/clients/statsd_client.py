"""The process's statsd client: a thin wrapper over `statsd.StatsClient` that costs nothing when disabled.

Timings are in milliseconds, as statsd expects (`<prefix>.<stat>:<ms>|ms`). The prefix is
`<NOTIFY_ENVIRONMENT>.notifications.api`; the caller passes it in. One client serves the whole process: the Flask
app and Celery workers install theirs with `set_statsd_client`, and code that emits metrics looks it up with
`get_statsd_client` at the moment it emits, so it never holds a stale client.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from statsd import StatsClient

STATSD_ENABLED = "STATSD_ENABLED"
STATSD_HOST = "STATSD_HOST"
STATSD_PORT = "STATSD_PORT"
NOTIFY_ENVIRONMENT = "NOTIFY_ENVIRONMENT"


class StatsdClient:
    """Sends counters, timings and gauges over UDP; when disabled it opens no socket and sends nothing.

    UDP sends never block on the statsd server and lost datagrams are not errors, so metrics never slow down or
    break the work they measure.
    """

    def __init__(self, enabled: bool, host: str = "127.0.0.1", port: int = 8125, prefix: str = "") -> None:
        self.is_enabled = enabled
        self.prefix = prefix
        self._client: StatsClient | None = StatsClient(host, port, prefix=prefix or None) if enabled else None

    def incr(self, stat: str, count: int = 1) -> None:
        if self._client is not None:
            self._client.incr(stat, count)

    def timing(self, stat: str, duration_ms: float) -> None:
        """Record a duration in milliseconds."""
        if self._client is not None:
            self._client.timing(stat, duration_ms)

    def timing_with_dates(self, stat: str, end: datetime, start: datetime) -> None:
        """Record the time from `start` to `end` (both aware, or both naive) in milliseconds."""
        if self._client is not None:
            self._client.timing(stat, (end - start).total_seconds() * 1000)

    def gauge(self, stat: str, value: float, is_delta: bool = False) -> None:
        """Set a gauge, or move it by `value` when `is_delta`."""
        if self._client is not None:
            self._client.gauge(stat, value, delta=is_delta)

    def close(self) -> None:
        """Close the UDP socket; the client sends nothing afterwards."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self.is_enabled = False


def statsd_prefix(notify_environment: str) -> str:
    return f"{notify_environment}.notifications.api"


def build_statsd_client(config: Mapping[str, Any]) -> StatsdClient:
    """A client configured from `STATSD_ENABLED`, `STATSD_HOST`, `STATSD_PORT` and `NOTIFY_ENVIRONMENT`."""
    return StatsdClient(
        enabled=bool(config.get(STATSD_ENABLED, False)),
        host=str(config.get(STATSD_HOST, "127.0.0.1")),
        port=int(config.get(STATSD_PORT, 8125)),
        prefix=statsd_prefix(str(config.get(NOTIFY_ENVIRONMENT, "development"))),
    )


_current_client = StatsdClient(enabled=False)


def get_statsd_client() -> StatsdClient:
    """The client installed for this process; a disabled one until `set_statsd_client` is called."""
    return _current_client


def set_statsd_client(client: StatsdClient) -> None:
    global _current_client
    _current_client = client
