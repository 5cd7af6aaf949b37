"""Structured logging: one JSON object per line, carrying the ids that make a line findable.

Fields come from a record's `extra` (CONTEXT_FIELDS only) and, when the code logging did not give them, from where
the line was written: the request's `request_id` and authenticated `service_id` inside a request, the task's
`task_name` and `task_id` inside a Celery task. Every answered request also gets one line of its own: method, URL
rule (never the raw path or query string, which may carry a client's data), status code and duration.
Personal data never goes in `extra`: recipients, personalisation, rendered content, keys and tokens stay out of logs.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from celery import current_task
from flask import Flask, Response, g, has_request_context, request

# Fields copied from a record's `extra` into the JSON line. Personal data never goes in `extra`.
CONTEXT_FIELDS = (
    "notification_id",
    "service_id",
    "job_id",
    "provider",
    "notification_status",
    "task_name",
    "task_id",
    "duration_ms",
    "request_id",
    "status_code",
    "method",
    "path",
)

request_logger = logging.getLogger("app.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = str(value) if not isinstance(value, int | float) else value
        if has_request_context():
            _add_request_fields(line)
        else:
            _add_task_fields(line)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"))


def _add_request_fields(line: dict[str, Any]) -> None:
    for field in ("request_id", "service_id"):
        value = getattr(g, field, None)
        if field not in line and value:
            line[field] = str(value)


def _add_task_fields(line: dict[str, Any]) -> None:
    task = current_task
    if task is None or not task:  # the proxy is falsy outside a task
        return
    line.setdefault("task_name", task.name)
    task_id = getattr(task.request, "id", None)
    if task_id:
        line.setdefault("task_id", task_id)


def configure_logging(app: Flask) -> None:
    """Send every log line to stderr (JSON when LOG_JSON) and log one line per answered request."""
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_JSON"]:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    for noisy in ("botocore", "urllib3", "kombu", "amqp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    app.before_request(_start_request_clock)
    app.after_request(_log_request)


def _start_request_clock() -> None:
    g.request_logged_from = time.monotonic()


def _log_request(response: Response) -> Response:
    is_health_check = request.blueprint == "status" and response.status_code == 200
    if is_health_check or not request_logger.isEnabledFor(logging.INFO):
        return response
    started = g.get("request_logged_from")
    duration_ms = round((time.monotonic() - started) * 1000, 3) if started is not None else None
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    request_logger.info(
        "%s %s answered %s",
        request.method,
        rule,
        response.status_code,
        extra={"method": request.method, "path": rule, "status_code": response.status_code, "duration_ms": duration_ms},
    )
    return response
