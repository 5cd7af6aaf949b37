"""`@statsd(namespace=...)`: count and time each successful call as `<namespace>.<function name>`.

Use it under the Celery task decorator (`@notify_celery.task(...)` outermost, then `@statsd(namespace="tasks")`)
and on DAO functions (`@statsd(namespace="dao")`), giving `tasks.deliver_sms`, `dao.dao_create_notification`.
A call that raises emits nothing. The client is looked up at each call, so the decorator works the same in the
Flask app, in Celery workers and before either has installed a client (the default one is disabled).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from app.clients.statsd_client import get_statsd_client

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def statsd(namespace: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Emit `incr` and `timing` (milliseconds) named `<namespace>.<function name>` after each successful call."""

    def decorator(function: Callable[P, R]) -> Callable[P, R]:
        metric_name = f"{namespace}.{function.__name__}"

        @functools.wraps(function)
        def timed(*args: P.args, **kwargs: P.kwargs) -> R:
            client = get_statsd_client()
            if not client.is_enabled:
                return function(*args, **kwargs)  # metrics off: not even a clock read
            started = time.monotonic()
            result = function(*args, **kwargs)
            duration_ms = (time.monotonic() - started) * 1000
            client.incr(metric_name)
            client.timing(metric_name, duration_ms)
            logger.debug(
                "%s took %.3f ms", metric_name, duration_ms, extra={"metric": metric_name, "duration_ms": duration_ms}
            )
            return result

        return timed

    return decorator
