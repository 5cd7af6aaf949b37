"""Worker CPU per delivered SMS: one deliver_sms task per notification against batch tasks of 1, 10 and 50.

Runs the tasks' bodies in this process, as a worker thread would (no broker: what is measured is the delivery work,
not Celery's message handling, which batching divides by the batch size as well), against the provider simulator in a
process of its own over real HTTP. For each mode it creates N fresh notifications, then measures this process's CPU
(every thread's: the batch's provider calls run on its pool) and PostgreSQL's while it delivers them all, and checks
every one ended `sending` with its answer recorded.

    .venv/bin/python benchmarks/batch_delivery.py [--notifications 500]

Uses DATABASE_URL / REDIS_URL when set (the database named `herald_bench_jobs` on that server is dropped and
created), else embedded PostgreSQL and Redis under `.data/bench`. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.cpu_meter import process_tree_cpu_seconds  # noqa: E402
from benchmarks.scratch_services import start_scratch_services  # noqa: E402
from devstack.network import free_port  # noqa: E402

BENCH_DATABASE = "herald_bench_batch"
MODES = ("single", "batch-1", "batch-10", "batch-50")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=500)
    arguments = parser.parse_args()
    logging.disable(logging.INFO)
    services = _start_services()
    try:
        with _simulator() as simulator_url:
            print(json.dumps(run(arguments.notifications, simulator_url, services.pids().get("postgres"))))
    finally:
        services.stop()


def _start_services() -> Any:
    return start_scratch_services(database=BENCH_DATABASE, directory="bench-batch")


@contextmanager
def _simulator() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "app.simulator", "--port", str(port), "--no-receipt", "--log-level", "WARNING"]
    process = subprocess.Popen(command, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/_simulator/health", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(count: int, simulator_url: str, postgres_pid: int | None) -> dict[str, Any]:
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        {
            "LOG_JSON": False,
            "MMG_URL": f"{simulator_url}/mmg",
            "FIRETEXT_URL": f"{simulator_url}/firetext",
            "STATSD_ENABLED": False,
        }
    )
    results: dict[str, Any] = {"notifications": count}
    with app.app_context():
        upgrade()
        for mode in MODES:
            ids = _notifications(_template(), count)
            deliver = _deliverer(mode)
            deliver(ids[:10])  # warm the caches and the connection pools outside the measurement
            measured = ids[10:]
            cpu_before, postgres_before, started = time.process_time(), _cpu(postgres_pid), time.perf_counter()
            deliver(measured)
            cpu, postgres, wall = (
                time.process_time() - cpu_before,
                _cpu(postgres_pid) - postgres_before,
                time.perf_counter() - started,
            )
            _check_sent(measured)
            results[mode] = {
                "worker_cpu_ms_per_notification": round(1000 * cpu / len(measured), 3),
                "postgres_cpu_ms_per_notification": round(1000 * postgres / len(measured), 3),
                "wall_ms_per_notification": round(1000 * wall / len(measured), 3),
            }
    return results


def _cpu(pid: int | None) -> float:
    return process_tree_cpu_seconds(pid) if pid else 0.0


def _deliverer(mode: str) -> Callable[[list[str]], None]:
    from app.celery.provider_tasks import deliver_sms, deliver_sms_batch

    def as_worker(task: Any, *args: Any) -> None:
        task.push_request(retries=0, args=list(args), kwargs={}, delivery_info={"routing_key": "send-sms"})
        try:
            task.run(*args)
        finally:
            task.pop_request()

    def one_by_one(ids: list[str]) -> None:
        for notification_id in ids:
            as_worker(deliver_sms, notification_id)

    if mode == "single":
        return one_by_one
    size = int(mode.removeprefix("batch-"))

    def in_batches(ids: list[str]) -> None:
        for start in range(0, len(ids), size):
            as_worker(deliver_sms_batch, ids[start : start + size])

    return in_batches


def _template() -> Any:
    from tests.factories import create_template

    return create_template(content="Your code is ((code))")


def _notifications(template: Any, count: int) -> list[str]:
    from tests.factories import create_notification

    return [str(create_notification(template=template, personalisation={"code": "123456"}).id) for _ in range(count)]


def _check_sent(ids: list[str]) -> None:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Notification

    sent = db.session.execute(
        select(func.count()).where(Notification.id.in_(ids), Notification.sent_at.is_not(None))
    ).scalar_one()
    db.session.remove()
    if sent != len(ids):
        raise SystemExit(f"only {sent} of {len(ids)} notifications were sent")


if __name__ == "__main__":
    main()
