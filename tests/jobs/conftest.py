"""Helpers for job tests: build jobs through the domain function and read what was queued on the real broker."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest
from flask import Flask, current_app

from app.dao.services_dao import dao_get_serialised_service
from app.jobs.bulk_feeder import feed_bulk_lanes
from app.jobs.create_job import JobRequest, JobSender, create_job
from app.models import Job, Template


def queued_tasks(queue: str) -> list[tuple[str, list[Any]]]:
    """(task name, args) of every message waiting on a queue of the real Redis broker, oldest first."""
    redis = current_app.extensions["redis"]
    messages = [json.loads(raw) for raw in reversed(redis.lrange(queue, 0, -1))]
    return [(message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0]) for message in messages]


def phone_rows(count: int, *, header: Sequence[str] = ("phone number", "name")) -> list[list[str]]:
    """A header and ``count`` rows of distinct valid UK mobile numbers."""
    return [list(header)] + [[f"0740{1_000_000 + index:07d}", f"Person {index}"] for index in range(count)]


def delivery_tasks(queue: str) -> list[tuple[str, list[Any]]]:
    """The deliver tasks waiting on ``queue`` (not the feeder's or process_job's)."""
    return [task for task in queued_tasks(queue) if task[0].startswith("deliver_")]


def delivered_ids(queue: str) -> list[tuple[str, str]]:
    """(task name, notification id) of every notification a deliver task waiting on ``queue`` is for, in queue order:
    a batch task's ids one by one."""
    return [
        (name, notification_id)
        for name, args in delivery_tasks(queue)
        for notification_id in (args[0] if name.endswith("_batch") else args[:1])
    ]


@pytest.fixture
def feed_every_waiting_row(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """Run the bulk-lane feeder, with room for everything, until no row waits; returns how many rows it handed over."""
    monkeypatch.setitem(notify_api.config, "BULK_FEED_QUEUE_DEPTH", 100_000)

    def feed() -> int:
        total = 0
        while (fed := feed_bulk_lanes()) is not None:
            total += fed
        return total

    return feed


@pytest.fixture
def make_job(notify_db_session: None) -> Callable[..., Job]:
    def make(
        *,
        template: Template,
        rows: list[list[Any]] | None = None,
        csv: str | None = None,
        key_type: str = "normal",
        scheduled_for: datetime | None = None,
        reply_to_id: uuid.UUID | None = None,
        name: str = "contacts.csv",
    ) -> Job:
        request = JobRequest(
            name=name,
            template_id=template.id,
            rows=rows if rows is not None or csv is not None else phone_rows(3),
            csv=csv,
            scheduled_for=scheduled_for,
            reply_to_id=reply_to_id,
        )
        sender = JobSender(service=dao_get_serialised_service(template.service_id), key_type=key_type)
        return create_job(request, sender)

    return make
