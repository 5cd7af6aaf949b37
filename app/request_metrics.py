"""Count and time every request as `<METHOD>.<blueprint>.<view>.<status>` (SPEC §8).

The name uses the blueprint's name and the view function's name, never the URL, so ids in paths never reach a
metric name: POST /v2/notifications/sms answered 201 is `POST.v2_notifications.post_notification.201`. A request
that matched no route is `<METHOD>.app.no_route.<status>`. When statsd is disabled the hooks return at once.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, g, request

from app.clients.statsd_client import get_statsd_client

# Anything else a client sends as a method is counted as OTHER: metric names must stay a small, stable set.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
NO_BLUEPRINT = "app"
NO_ROUTE = "no_route"


def register_request_metrics(app: Flask) -> None:
    """Install the hooks; call it before any other `before_request` so the timer covers authentication too."""
    app.before_request(_start_request_timer)
    app.after_request(_record_request_metrics)


def request_metric_name(status_code: int) -> str:
    """The metric name of the current request answered with ``status_code``."""
    method = request.method if request.method in KNOWN_METHODS else "OTHER"
    return f"{method}.{request.blueprint or NO_BLUEPRINT}.{_view_name()}.{status_code}"


def _view_name() -> str:
    if request.endpoint is None:
        return NO_ROUTE
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "__name__", None) or request.endpoint.rpartition(".")[2]


def _start_request_timer() -> None:
    if get_statsd_client().is_enabled:
        g.request_started_at = time.monotonic()


def _record_request_metrics(response: Response) -> Response:
    client = get_statsd_client()
    started_at = g.get("request_started_at")
    if not client.is_enabled or started_at is None:
        return response
    metric_name = request_metric_name(response.status_code)
    client.incr(metric_name)
    client.timing(metric_name, (time.monotonic() - started_at) * 1000)
    return response
