"""Time one provider call and count its outcome: `clients.<provider>.success|error` and `.request-time`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.clients.statsd_client import StatsdClient


@contextmanager
def recorded_provider_call(statsd: StatsdClient, provider: str) -> Iterator[None]:
    """Count the block as a success if it returns and as an error if it raises; time it either way (ms)."""
    started = time.monotonic()
    try:
        yield
    except Exception:
        statsd.incr(f"clients.{provider}.error")
        raise
    else:
        statsd.incr(f"clients.{provider}.success")
    finally:
        statsd.timing(f"clients.{provider}.request-time", (time.monotonic() - started) * 1000)
