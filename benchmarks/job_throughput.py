"""Rows per second for a 100,000-row bulk job on this machine, against the database's own insert speed.

Creates a job through the domain function (every row validated, stored encrypted), then runs process_job in this
process (notifications inserted in batches, waiting for the bulk-lane feeder), then the feeder with room for every
row: one deliver_sms_batch task per MAX_DELIVER_BATCH rows published to the real Redis broker's bulk-sms queue.
The baseline, measured in the same run, is one `INSERT ... SELECT ... FROM generate_series` of 100,000 rows into a
scratch table shaped and indexed like `notifications`: the fastest the database itself takes such rows.

    .venv/bin/python benchmarks/job_throughput.py [--rows 100000]

Uses DATABASE_URL / REDIS_URL when set (the database named `herald_bench_jobs` on that server is dropped and
created), else embedded PostgreSQL and Redis under `.data/bench`. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.scratch_services import start_scratch_services  # noqa: E402

BENCH_DATABASE = "herald_bench_jobs"
DELIVER_QUEUE = "bulk-sms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    arguments = parser.parse_args()
    logging.disable(logging.INFO)
    services = _start_services()
    try:
        print(json.dumps(run(arguments.rows)))
    finally:
        services.stop()


def _start_services() -> Any:
    return start_scratch_services(database=BENCH_DATABASE, directory="bench")


def run(row_count: int) -> dict[str, Any]:
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"LOG_JSON": False})
    with app.app_context():
        upgrade()
        redis = app.extensions["redis"]
        redis.delete(DELIVER_QUEUE, "jobs")
        baseline_seconds = _time(lambda: _baseline_insert(row_count))
        timings: dict[str, float] = {"insert": 0.0, "enqueue": 0.0}
        job_id, create_seconds = _create_job(row_count)
        with _timed_steps(timings):
            process_seconds = _time(lambda: _process(job_id))
        app.config["BULK_FEED_QUEUE_DEPTH"] = row_count
        feed_seconds = _time(_feed_every_row)
        queued = redis.llen(DELIVER_QUEUE)
        redis.delete(DELIVER_QUEUE, "jobs")
    job_rate = row_count / process_seconds
    baseline_rate = row_count / baseline_seconds
    return {
        "rows": row_count,
        "create_job_seconds": round(create_seconds, 2),
        "create_job_rows_per_second": round(row_count / create_seconds),
        "process_job_seconds": round(process_seconds, 2),
        "process_job_rows_per_second": round(job_rate),
        "of_which_insert_seconds": round(timings["insert"], 2),
        "of_which_feeder_kick_seconds": round(timings["enqueue"], 2),
        "feed_seconds": round(feed_seconds, 2),
        "feed_rows_per_second": round(row_count / feed_seconds),
        "insert_rows_per_second": round(row_count / timings["insert"]),
        "deliver_tasks_queued": queued,
        "baseline_insert_select_seconds": round(baseline_seconds, 2),
        "baseline_rows_per_second": round(baseline_rate),
        "process_job_to_baseline_ratio": round(job_rate / baseline_rate, 3),
        "insert_to_baseline_ratio": round(row_count / timings["insert"] / baseline_rate, 3),
        "batch_size": app.config["JOB_BATCH_SIZE"],
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
    }


def _time(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _baseline_insert(row_count: int) -> None:
    from sqlalchemy import text

    from app.extensions import db

    db.session.execute(text("DROP TABLE IF EXISTS bench_scratch"))
    db.session.execute(text("CREATE TABLE bench_scratch (LIKE notifications INCLUDING DEFAULTS INCLUDING INDEXES)"))
    db.session.commit()
    db.session.execute(
        text(
            'INSERT INTO bench_scratch (id, job_id, job_row_number, "to", normalised_to, service_id, template_id, '
            "template_version, key_type, billable_units, notification_type, created_at, notification_status, "
            "international, phone_prefix, rate_multiplier, personalisation) "
            "SELECT gen_random_uuid(), '00000000-0000-0000-0000-000000000001', n, '07401' || lpad(n::text, 6, '0'), "
            "'447401' || lpad(n::text, 6, '0'), gen_random_uuid(), gen_random_uuid(), 1, 'normal', 0, 'sms', now(), "
            "'created', false, '44', 1, repeat('x', 140) FROM generate_series(0, :last) AS n"
        ),
        {"last": row_count - 1},
    )
    db.session.commit()


def _create_job(row_count: int) -> tuple[str, float]:
    from app.admin.services.management import create_service
    from app.dao.services_dao import dao_get_serialised_service
    from app.dao.templates_dao import dao_create_template
    from app.jobs.create_job import JobRequest, JobSender, create_job

    service = create_service(name="Bench service", restricted=False, permissions=["sms"], sms_message_limit=10**9)
    template = dao_create_template(service.id, name="bench", template_type="sms", content="Hello ((name))")
    csv = "phone number,name\n" + "".join(f"0740{1_000_000 + row:07d},Person {row}\n" for row in range(row_count))
    request = JobRequest(name="bench.csv", template_id=template.id, csv=csv)
    sender = JobSender(service=dao_get_serialised_service(service.id))
    started = time.perf_counter()
    job = create_job(request, sender)
    return str(job.id), time.perf_counter() - started


def _process(job_id: str) -> None:
    from app.jobs.process_job import process_job

    run = process_job(job_id)
    assert run is not None
    assert run.is_finished
    assert run.inserted_count > 0


def _feed_every_row() -> None:
    from app.jobs.bulk_feeder import feed_bulk_lanes

    while feed_bulk_lanes() is not None:
        pass


@contextmanager
def _timed_steps(timings: dict[str, float]) -> Iterator[None]:
    """Add the time spent inserting batches and starting the feeder to ``timings``."""
    from app.jobs import process_job as processing

    real_insert, real_enqueue = processing.dao_insert_job_notifications, processing.enqueue_feed_bulk_lanes

    def insert(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_insert(*args, **kwargs)
        finally:
            timings["insert"] += time.perf_counter() - started

    def enqueue(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real_enqueue(*args, **kwargs)
        finally:
            timings["enqueue"] += time.perf_counter() - started

    processing.dao_insert_job_notifications, processing.enqueue_feed_bulk_lanes = insert, enqueue  # type: ignore[assignment]
    try:
        yield
    finally:
        processing.dao_insert_job_notifications, processing.enqueue_feed_bulk_lanes = real_insert, real_enqueue


if __name__ == "__main__":
    main()
