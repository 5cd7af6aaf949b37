"""Structured logging: one JSON object per line, carrying the ids that make a line findable."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from flask import Flask, g, has_request_context

# Fields copied from a record's `extra` into the JSON line. Personal data never goes in `extra`.
CONTEXT_FIELDS = (
    "notification_id",
    "service_id",
    "job_id",
    "provider",
    "notification_status",
    "task_name",
    "duration_ms",
    "request_id",
    "status_code",
    "method",
    "path",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in CONTEXT_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = str(value) if not isinstance(value, int | float) else value
        if "request_id" not in line and has_request_context():
            request_id = getattr(g, "request_id", None)
            if request_id:
                line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, separators=(",", ":"))


def configure_logging(app: Flask) -> None:
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
