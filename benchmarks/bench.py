"""`make bench`: how fast Herald accepts, delivers and records notifications on this machine, in one run, one table.

1. API accept rate: the load generator (its own process) POSTs /v2/notifications/sms with fresh JWTs over many
   keep-alive connections to Herald under gunicorn_config.py, then the same load to the no-work baseline app under
   the same gunicorn settings.
2. End to end: notifications offered at a fixed rate through the API, delivered by the Celery workers to the provider
   simulator, receipts sent back by the simulator; latencies from the notifications table's timestamps.
3. Receipts: MMG receipts for notifications in `sending`, queued while the workers are stopped, applied by them
   (the path of a receipt the endpoint could not apply at once; the end-to-end run covers receipts applied in the
   request).
4. The limit checks (rate limit + daily limit, one Redis round trip) timed in-process at 0 and 1 M rows.
5. Mixed load (benchmarks/mixed_load.py): a 20,000-row job draining while priority texts, another service's API
   texts and its small job go through their lanes; it takes minutes, so only `--only mixed` (`make bench-mixed`)
   runs it.
6. Scale-out (benchmarks/scale_out.py): the end-to-end run again on Redis and on RabbitMQ with 1, 2 and 4 worker
   processes on the normal lane, in a table of its own; `--only scale` (`make bench-scale`) runs it alone, and
   leaving `scale` out of `--only` skips it.

Runs against its own embedded PostgreSQL and Redis under .data/bench (a fresh `herald_bench` database each run), so
it never touches a running `make run`. Logs of the child processes go to .data/bench/logs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import mixed_load, scale_out  # noqa: E402
from benchmarks.bench_brokers import DEFAULT_RABBITMQ_URL  # noqa: E402
from benchmarks.cpu_meter import CpuMeter, CpuReading  # noqa: E402
from benchmarks.stack import BenchStack  # noqa: E402
from devstack.embedded import EmbeddedServices, ensure_services  # noqa: E402
from devstack.processes import WorkerSettings  # noqa: E402

BENCH_DIR = ROOT / ".data" / "bench"
BENCH_DATABASE = "herald_bench"
# Every phase but the mixed load, which takes minutes of its own (`make bench-mixed`).
DEFAULT_PHASES = "accept,e2e,receipts,scale,limits"
PHONE_NUMBER = "07700900123"  # delivered by the simulator; not a smoke-test number
HIGH_LIMIT = 1_000_000_000
PROCESS_LABELS = {
    "api": "API",
    "baseline": "baseline",
    "worker": "worker",
    "simulator": "simulator",
    "postgres": "PostgreSQL",
    "redis": "Redis",
    "loadgen": "load gen",
    "rabbitmq": "RabbitMQ",
}
TARGET_E2E_VS_BASELINE = scale_out.TARGET_VS_BASELINE


@dataclass(frozen=True)
class Seeded:
    service_id: uuid.UUID
    template_id: uuid.UUID
    api_key: str


def main() -> int:
    arguments = _arguments()
    logging.disable(logging.INFO)
    started = time.monotonic()
    services, database_url = _start_services()
    stack = BenchStack(
        database_url=database_url,
        redis_url=services.redis_url or "",
        log_dir=BENCH_DIR / "logs",
        extra_env={"SIMULATOR_RECEIPT_DELAY_MS": "0,50"},
        service_pids=services.pids(),
    )
    try:
        rows = run(arguments, stack)
    finally:
        stack.stop()
        services.stop()
    print(_table(rows, arguments, time.monotonic() - started))
    if "scale" in rows:
        print()
        print(scale_out.table(rows["scale"], _baseline_rate(rows), arguments.e2e_rate, arguments.scale_seconds))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accept-seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--e2e-rate", type=float, default=300, help="notifications a second offered end to end")
    parser.add_argument("--e2e-seconds", type=float, default=15)
    parser.add_argument(
        "--e2e-light-rate",
        type=float,
        default=40,
        help="a second, 10 s run at a rate the worker keeps up with (0: none)",
    )
    parser.add_argument("--receipts", type=int, default=3_000)
    parser.add_argument("--drain-seconds", type=float, default=20, help="longest wait for the workers to finish")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the table for the second limit check")
    parser.add_argument("--limit-checks", type=int, default=5_000)
    # The worker settings that delivered the most per second here (RESULTS.md), as `make run` starts them.
    workers = WorkerSettings.from_environ(os.environ)
    parser.add_argument("--worker-processes", type=int, default=workers.processes)
    parser.add_argument("--worker-pool", default=workers.pool)
    parser.add_argument("--worker-concurrency", type=int, default=workers.concurrency)
    parser.add_argument("--prefetch", type=int, default=workers.prefetch_multiplier)
    parser.add_argument("--mixed-rows", type=int, default=mixed_load.MixedLoad.rows, help="rows of A's big job")
    parser.add_argument("--mixed-seconds", type=float, default=mixed_load.MixedLoad.seconds)
    parser.add_argument(
        "--scale-seconds", type=float, default=8, help="each scale-out run's load, at --e2e-rate a second"
    )
    parser.add_argument(
        "--scale-backlog", type=int, default=1_000, help="deliver tasks each scale-out run then drains (no API)"
    )
    parser.add_argument(
        "--scale-workers",
        default=",".join(str(count) for count in scale_out.WORKER_COUNTS),
        help="normal-lane worker processes of each scale-out run, comma-separated",
    )
    parser.add_argument(
        "--rabbitmq-url",
        default=os.environ.get("RABBITMQ_URL", DEFAULT_RABBITMQ_URL),
        help="the RabbitMQ the scale-out phase makes a vhost of its own on",
    )
    parser.add_argument(
        "--only", help=f"comma-separated phases of accept,e2e,mixed,receipts,scale,limits (default {DEFAULT_PHASES})"
    )
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--profile", action="store_true", help="py-spy the API during the accept run (.data/bench)")
    return parser.parse_args()


def _start_services() -> tuple[EmbeddedServices, str]:
    import psycopg

    # Always our own servers, whatever the environment says.
    services = ensure_services(postgres_dir=BENCH_DIR / "postgres", redis_dir=BENCH_DIR / "redis", environ={})
    assert services.database_url is not None
    assert services.redis_url is not None
    with psycopg.connect(services.database_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    database_url = urlunsplit(urlsplit(services.database_url)._replace(path=f"/{BENCH_DATABASE}"))
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = services.redis_url
    return services, database_url


def _cpu_meter(stack: BenchStack) -> CpuMeter:
    return CpuMeter(stack.pids, time.monotonic)


def _cpu_summary(reading: CpuReading, items: int) -> dict[str, Any]:
    """CPU ms per item by process, the Celery workers (delivery and callbacks) counted together."""
    per_item: dict[str, float] = {}
    for name, ms in reading.per_item_ms(items).items():
        process = "worker" if "worker" in name else name
        per_item[process] = per_item.get(process, 0.0) + ms
    return {"ms": {name: round(ms, 3) for name, ms in per_item.items()}, "cores_busy": round(reading.cores_busy, 2)}


def run(arguments: argparse.Namespace, stack: BenchStack) -> dict[str, Any]:
    from flask_migrate import upgrade

    from app import create_app

    phases = set((arguments.only or DEFAULT_PHASES).split(","))
    app = create_app({"LOG_JSON": False, "LOG_LEVEL": "WARNING"})
    rows: dict[str, Any] = {"load_before": os.getloadavg()[0]}
    with app.app_context():
        _progress("migrating")
        upgrade()
        app.extensions["redis"].flushdb()
        seeded = _seed()
        if "limits" in phases:
            rows["limits_0"] = measure_limit_checks(seeded.service_id, arguments.limit_checks)
        _progress("starting the API")
        stack.start_api()
        if "accept" in phases:
            _progress("accept: Herald, then baseline")
            rows.update(measure_accept(stack, seeded, arguments))
            app.extensions["redis"].delete("send-sms")  # those tasks are not part of the end-to-end run
        if phases & {"e2e", "mixed", "receipts"}:
            _progress("starting simulator and worker")
            stack.start_simulator()
            _start_workers(stack, arguments)
        if "e2e" in phases:
            _progress("end to end")
            # The light run first: after the heavy one the worker may still be working through a backlog.
            if arguments.e2e_light_rate:
                rows["e2e_light"] = measure_end_to_end(stack, seeded, arguments, arguments.e2e_light_rate, 10)
            rows["e2e"] = measure_end_to_end(stack, seeded, arguments, arguments.e2e_rate, arguments.e2e_seconds)
        if "mixed" in phases:
            load = mixed_load.MixedLoad(rows=arguments.mixed_rows, seconds=arguments.mixed_seconds)
            a, b = mixed_load.seed_sender("Mixed load A"), mixed_load.seed_sender("Mixed load B")
            rows["mixed"] = mixed_load.measure_mixed_load(stack.api_url, a, b, load, _progress)
        if "receipts" in phases:
            _progress("receipts")
            rows["receipts"] = measure_receipts(stack, seeded, arguments)
        if "scale" in phases and "accept_baseline" not in rows:
            _progress("scale-out: the no-work baseline")
            rows["scale_baseline"] = measure_baseline(stack, seeded, arguments)
        stack.stop()
        if "scale" in phases:
            rows["scale"] = measure_scale(stack, seeded, arguments)
        if "limits" in phases:
            _progress("inserting rows")
            rows["rows_inserted"] = insert_rows(seeded, arguments.rows)
            rows["limits_1m"] = measure_limit_checks(seeded.service_id, arguments.limit_checks)
    rows["load_after"] = os.getloadavg()[0]
    return rows


def _start_workers(stack: BenchStack, arguments: argparse.Namespace) -> None:
    """The workers `make run` starts (CELERY_* settings), with the command line's choices."""
    stack.start_workers(_worker_settings(arguments))


def _worker_settings(arguments: argparse.Namespace) -> WorkerSettings:
    return replace(
        WorkerSettings.from_environ(os.environ),
        processes=arguments.worker_processes,
        pool=arguments.worker_pool,
        concurrency=arguments.worker_concurrency,
        prefetch_multiplier=arguments.prefetch,
    )


def _worker_layout(arguments: argparse.Namespace) -> str:
    settings = _worker_settings(arguments)
    pool = f"--pool {settings.pool}"
    bulk = f"{settings.concurrency} threads, prefetch {settings.prefetch_multiplier}"
    if settings.queues is not None:
        return f"{settings.processes} on {','.join(settings.queues)} ({pool}, {bulk}); a callbacks worker"
    return (
        f"{pool}; priority 1 × {settings.priority_concurrency} threads, prefetch"
        f" {settings.priority_prefetch_multiplier}; normal {settings.normal_processes} ×"
        f" {settings.normal_concurrency} threads, prefetch {settings.normal_prefetch_multiplier}; bulk"
        f" {settings.processes} × {bulk}; a callbacks worker"
    )


def measure_baseline(stack: BenchStack, seeded: Seeded, arguments: argparse.Namespace) -> dict[str, Any]:
    """The no-work baseline's req/s alone (when the accept phase did not run), for the scale-out table's ratios."""
    body = _send_body(seeded)
    stack.start_baseline()
    try:
        url = f"{stack.baseline_url}/v2/notifications/sms"
        _loadgen(url, seconds=2, connections=arguments.connections, api_key=seeded.api_key, body=body)
        return _loadgen(url, seconds=5, connections=arguments.connections, api_key=seeded.api_key, body=body)
    finally:
        stack.stop("baseline")


def _baseline_rate(rows: dict[str, Any]) -> float | None:
    baseline = rows.get("accept_baseline") or rows.get("scale_baseline")
    return float(baseline["rate"]) if baseline else None


def measure_scale(stack: BenchStack, seeded: Seeded, arguments: argparse.Namespace) -> dict[str, Any]:
    """Phase 6 (benchmarks/scale_out.py): phase 2's heavy run on each broker with 1, 2 and 4 normal-lane workers."""
    from app.celery.queues import all_queues
    from config import celery_broker_url

    without_profiler = argparse.Namespace(**{**vars(arguments), "profile": False})
    return scale_out.measure_scale_out(
        stack,
        redis_celery_url=celery_broker_url(os.environ["REDIS_URL"]),
        rabbitmq_url=arguments.rabbitmq_url,
        settings=_worker_settings(arguments),
        worker_counts=tuple(int(count) for count in arguments.scale_workers.split(",")),
        measure=lambda variant: measure_end_to_end(
            variant, seeded, without_profiler, arguments.e2e_rate, arguments.scale_seconds
        ),
        backlog=scale_out.Backlog(
            service_id=seeded.service_id,
            template_id=scale_out.backlog_template(seeded.service_id),
            size=arguments.scale_backlog,
            drain_seconds=arguments.drain_seconds,
        ),
        queues=all_queues(),
        log_dir=BENCH_DIR / "logs",
        progress=_progress,
    )


def _seed() -> Seeded:
    """A live service whose limits never refuse the benchmark, with a live key, an SMS template and a sender."""
    from app.admin.api_keys.rest import full_key_string
    from app.admin.services.management import create_service
    from app.dao.api_key_dao import dao_create_api_key
    from app.dao.services_dao import dao_create_sms_sender
    from app.dao.templates_dao import dao_create_template
    from app.extensions import db

    service = create_service(
        name="Herald benchmark",
        restricted=False,
        permissions=["sms", "email"],
        rate_limit=HIGH_LIMIT,
        sms_message_limit=HIGH_LIMIT,
        email_message_limit=HIGH_LIMIT,
    )
    dao_create_sms_sender(service.id, sms_sender="HERALD", is_default=True)
    template = dao_create_template(
        service.id, name="bench", template_type="sms", content="Hello ((name)), your code is ((code)).", subject=None
    )
    api_key = full_key_string(dao_create_api_key(service.id, name="bench", key_type="normal"))
    db.session.commit()
    return Seeded(service_id=service.id, template_id=template.id, api_key=api_key)


def _send_body(seeded: Seeded, reference: str = "bench-accept") -> str:
    """The POST body; ``reference`` becomes the rows' client_reference, so a phase finds exactly its own rows."""
    personalisation = {"name": "Ada", "code": "123456"}
    body = {"phone_number": PHONE_NUMBER, "template_id": str(seeded.template_id), "personalisation": personalisation}
    return json.dumps({**body, "reference": reference})


def _loadgen(
    url: str,
    *,
    seconds: float,
    connections: int,
    api_key: str | None = None,
    body: str = "{}",
    rate: float | None = None,
) -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "benchmarks" / "loadgen.py"), "--url", url, "--body", body]
    command += ["--connections", str(connections), "--seconds", str(seconds)]
    if api_key:
        command += ["--api-key", api_key]
    if rate:
        command += ["--rate", str(rate)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure_accept(stack: BenchStack, seeded: Seeded, arguments: argparse.Namespace) -> dict[str, Any]:
    """Herald first (its key caches warmed by a short run), then the baseline with the identical load."""
    body = _send_body(seeded)
    herald_url = f"{stack.api_url}/v2/notifications/sms"
    _loadgen(herald_url, seconds=2, connections=arguments.connections, api_key=seeded.api_key, body=body)
    profiler = _start_profiler(stack, "api", arguments.accept_seconds) if arguments.profile else None
    meter = _cpu_meter(stack)
    meter.start()
    herald = _loadgen(
        herald_url,
        seconds=arguments.accept_seconds,
        connections=arguments.connections,
        api_key=seeded.api_key,
        body=body,
    )
    herald_cpu = meter.stop({"loadgen": herald["cpu_seconds"]})
    if profiler is not None:
        profiler.wait()
    stack.start_baseline()
    baseline_url = f"{stack.baseline_url}/v2/notifications/sms"
    _loadgen(baseline_url, seconds=2, connections=arguments.connections, api_key=seeded.api_key, body=body)
    meter.start()
    baseline = _loadgen(
        baseline_url,
        seconds=arguments.accept_seconds,
        connections=arguments.connections,
        api_key=seeded.api_key,
        body=body,
    )
    baseline_cpu = meter.stop({"loadgen": baseline["cpu_seconds"]})
    stack.stop("baseline")
    return {
        "accept_herald": {**herald, "cpu": _cpu_summary(herald_cpu, int(herald["ok"]))},
        "accept_baseline": {**baseline, "cpu": _cpu_summary(baseline_cpu, int(baseline["ok"]))},
    }


def _start_profiler(stack: BenchStack, name: str, seconds: float) -> subprocess.Popen[bytes]:
    """py-spy (if installed) samples the named process and its children; collapsed stacks in .data/bench."""
    command = [
        str(Path(sys.executable).parent / "py-spy"),
        "record",
        "--subprocesses",
        "--nonblocking",
        "--format",
        "raw",
        "--duration",
        str(int(seconds)),
        "--pid",
        str(stack.group[name].pid),
        "--output",
        str(BENCH_DIR / f"profile-{name}.txt"),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_until(condition: Callable[[], bool], timeout_seconds: float) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def _execute(sql: str) -> None:
    from sqlalchemy import text

    from app.extensions import db

    db.session.execute(text(sql))
    db.session.commit()


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _scalar(sql: str, **parameters: Any) -> Any:
    from sqlalchemy import text

    from app.extensions import db

    value = db.session.execute(text(sql), parameters).scalar()
    db.session.commit()
    return value


def measure_end_to_end(
    stack: BenchStack, seeded: Seeded, arguments: argparse.Namespace, rate: float, seconds: float
) -> dict[str, Any]:
    """Offer notifications at a fixed rate; wait until every one accepted is delivered; read the timestamps."""
    from sqlalchemy import text

    from app.extensions import db

    batch = f"bench-e2e-{uuid.uuid4().hex[:8]}"
    profiler = _start_profiler(stack, "worker", seconds) if arguments.profile else None
    meter = _cpu_meter(stack)
    meter.start()
    load = _loadgen(
        f"{stack.api_url}/v2/notifications/sms",
        seconds=seconds,
        connections=32,
        api_key=seeded.api_key,
        body=_send_body(seeded, batch),
        rate=rate,
    )
    accepted = int(load["ok"])
    if profiler is not None:
        profiler.wait()
    pending_sql = (
        "SELECT count(*) FROM notifications WHERE service_id = :service_id AND client_reference = :batch"
        " AND notification_status <> 'delivered'"
    )
    is_drained = _wait_until(
        lambda: _scalar(pending_sql, service_id=seeded.service_id, batch=batch) == 0,
        timeout_seconds=arguments.drain_seconds,
    )
    cpu = meter.stop({"loadgen": load["cpu_seconds"]})
    timings = db.session.execute(
        text(
            """
            SELECT count(*) AS delivered,
                   extract(epoch FROM max(updated_at) - min(created_at)) AS span_seconds,
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY sent_at - created_at) AS sent,
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY updated_at - created_at) AS done
            FROM notifications WHERE service_id = :service_id AND client_reference = :batch
                AND notification_status = 'delivered'
            """
        ),
        {"service_id": seeded.service_id, "batch": batch},
    ).one()
    statuses = db.session.execute(
        text(
            "SELECT notification_status, count(*) FROM notifications"
            " WHERE service_id = :service_id AND client_reference = :batch GROUP BY 1"
        ),
        {"service_id": seeded.service_id, "batch": batch},
    ).all()
    db.session.commit()
    return {
        "statuses": {status: count for status, count in statuses},
        "offered_rate": rate,
        "accepted": accepted,
        "accept": load,
        "delivered": timings.delivered,
        "is_drained": is_drained,
        "rate": round(timings.delivered / float(timings.span_seconds), 1) if timings.span_seconds else 0.0,
        "sent_ms": [round(value.total_seconds() * 1000, 1) for value in timings.sent or []],
        "delivered_ms": [round(value.total_seconds() * 1000, 1) for value in timings.done or []],
        "cpu": _cpu_summary(cpu, int(timings.delivered)),
    }


def measure_receipts(stack: BenchStack, seeded: Seeded, arguments: argparse.Namespace) -> dict[str, Any]:
    """Apply ``--receipts`` MMG `delivered` receipts for `sending` notifications twice, each time queued while the
    workers are stopped and timed from the first to the last `updated_at` once they start: first one task per receipt
    (`process_sms_receipt`: a receipt retried alone, and messages from before batches), then in batch tasks of 100
    (`process_sms_receipts`, one UPDATE per batch). The batch figures are the phase's; the one-task-per-receipt ones
    are under `single_task`."""
    from flask import current_app
    from sqlalchemy import text

    from app.celery.queues import QueueNames, TaskNames
    from app.extensions import db

    batch_size = 100
    stack.stop("simulator")  # no more receipts from the end-to-end run
    celery = current_app.extensions["celery"]

    def apply_queued(batch_size: int | None) -> dict[str, Any]:
        """Queue a receipt for each of --receipts new `sending` notifications (in tasks of ``batch_size``, or one
        task each when None) with the workers stopped; start them and time their applying every receipt."""
        stack.stop_workers()
        # Whatever ran before stays as it is: only these receipts reach the workers.
        current_app.extensions["redis"].delete("send-sms", "receipts", "unacked", "unacked_index")
        run = str(uuid.uuid4())[:8]
        _insert_notifications(seeded, arguments.receipts, status="sending", client_reference=run)
        ids = (
            db.session.execute(text("SELECT id FROM notifications WHERE client_reference = :run"), {"run": run})
            .scalars()
            .all()
        )
        db.session.commit()
        receipts = [
            {
                "CID": str(notification_id),
                "status": "3",
                "substatus": "5",
                "reference": "bench",
                "deliverytime": "2026-01-01 00:00:00",
            }
            for notification_id in ids
        ]
        with celery.producer_or_acquire() as producer:
            if batch_size is None:
                for receipt in receipts:
                    celery.send_task(
                        TaskNames.PROCESS_SMS_RECEIPT,
                        args=["mmg", receipt],
                        queue=QueueNames.RECEIPTS,
                        producer=producer,
                    )
            else:
                for start in range(0, len(receipts), batch_size):
                    celery.send_task(
                        TaskNames.PROCESS_SMS_RECEIPTS,
                        args=["mmg", receipts[start : start + batch_size]],
                        queue=QueueNames.RECEIPTS,
                        producer=producer,
                    )
        _start_workers(stack, arguments)
        pending_sql = (
            "SELECT count(*) FROM notifications WHERE client_reference = :run AND notification_status <> 'delivered'"
        )
        is_drained = _wait_until(lambda: _scalar(pending_sql, run=run) == 0, timeout_seconds=arguments.drain_seconds)
        span = db.session.execute(
            text(
                "SELECT count(*), extract(epoch FROM max(updated_at) - min(updated_at)) FROM notifications"
                " WHERE client_reference = :run AND notification_status = 'delivered'"
            ),
            {"run": run},
        ).one()
        db.session.commit()
        applied, seconds = int(span[0]), float(span[1] or 0)
        return {
            "queued": len(ids),
            "applied": applied,
            "is_drained": is_drained,
            "rate": round((applied - 1) / seconds, 1) if seconds else 0.0,
        }

    single_task = apply_queued(None)
    batched = apply_queued(batch_size)
    _progress(
        f"receipts applied/s: {single_task['rate']:,.0f} one task per receipt,"
        f" {batched['rate']:,.0f} in tasks of {batch_size}"
    )
    return {**batched, "batch_size": batch_size, "single_task": single_task}


def _insert_notifications(seeded: Seeded, count: int, *, status: str, client_reference: str) -> None:
    """INSERT … SELECT generate_series: ``count`` SMS notifications created today for the benchmark service."""
    from sqlalchemy import text

    from app.extensions import db

    db.session.execute(
        text(
            """
            INSERT INTO notifications (id, "to", normalised_to, service_id, template_id, template_version,
                key_type, billable_units, notification_type, created_at, sent_at, updated_at, notification_status,
                sent_by, client_reference, international, personalisation)
            SELECT gen_random_uuid(), '07700900123', '447700900123', :service_id, :template_id, 1,
                'normal', 1, 'sms', now() - (n % 3600) * interval '1 second', now(), now(), :status,
                'mmg', :client_reference, false, NULL
            FROM generate_series(1, :count) AS n
            """
        ),
        {
            "service_id": seeded.service_id,
            "template_id": seeded.template_id,
            "status": status,
            "client_reference": client_reference,
            "count": count,
        },
    )
    db.session.commit()


def insert_rows(seeded: Seeded, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    _insert_notifications(seeded, count, status="delivered", client_reference="bench-rows")
    _execute("ANALYZE notifications")
    total = _scalar("SELECT count(*) FROM notifications")
    return {"inserted": count, "total": total, "seconds": round(time.perf_counter() - started, 1)}


def measure_limit_checks(service_id: uuid.UUID, count: int) -> dict[str, Any]:
    """Time `admit_send_for` (token bucket + daily counter in one EVALSHA) as the API calls it, ``count`` times."""
    from app.authentication.auth import _load_credentials
    from app.extensions import db
    from app.notifications.prepare_notification import ApiCaller
    from app.notifications.send_notification import admit_send_for

    credentials = _load_credentials(service_id)
    db.session.commit()  # no transaction left open while the checks run
    caller = ApiCaller(service=credentials.service, api_key_id=credentials.api_keys[0].id, key_type="normal")
    durations_ms: list[float] = []
    for _ in range(200):  # warm up: the script is loaded, the connection is open
        admit_send_for(caller, "sms").keep()
    for _ in range(count):
        started = time.perf_counter()
        allowance = admit_send_for(caller, "sms")
        durations_ms.append((time.perf_counter() - started) * 1000)
        allowance.keep()
    durations_ms.sort()
    return {
        "checks": count,
        "p50_ms": round(durations_ms[len(durations_ms) // 2], 3),
        "p99_ms": round(durations_ms[int(len(durations_ms) * 0.99)], 3),
        "max_ms": round(durations_ms[-1], 3),
    }


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _gunicorn_settings() -> str:
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn_config.py"))
    return f"{settings['workers']} workers, {settings['worker_class']}, {settings.get('threads', 1)} threads"


def _table(rows: dict[str, Any], arguments: argparse.Namespace, seconds: float) -> str:
    lines = [
        f"Herald benchmark — commit {_git_commit()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
        f" load {rows['load_before']:.2f} → {rows['load_after']:.2f}, {seconds:.0f} s",
        f"API: gunicorn_config.py ({_gunicorn_settings()}); Celery workers: {_worker_layout(arguments)}",
        "",
        f"| {'measure':<86} | {'value':>12} | {'p50 ms':>8} | {'p95 ms':>8} | {'p99 ms':>8} | {'target':<22} |",
        f"|{'-' * 88}|{'-' * 14}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 24}|",
    ]

    def row(measure: str, value: str, p50: Any = "", p95: Any = "", p99: Any = "", target: str = "") -> None:
        lines.append(f"| {measure:<86} | {value:>12} | {p50!s:>8} | {p95!s:>8} | {p99!s:>8} | {target:<22} |")

    if "accept_herald" in rows:
        herald, baseline = rows["accept_herald"], rows["accept_baseline"]
        ratio = herald["rate"] / baseline["rate"] if baseline["rate"] else 0.0
        errors = herald["errors"]
        row(
            f"1. API accept, Herald (req/s, {arguments.connections} conns, {errors} errors)",
            f"{herald['rate']:,.0f}",
            herald["p50_ms"],
            herald["p95_ms"],
            herald["p99_ms"],
            ">= 1,000/s",
        )
        row(
            "   API accept, no-work baseline (req/s)",
            f"{baseline['rate']:,.0f}",
            baseline["p50_ms"],
            baseline["p95_ms"],
            baseline["p99_ms"],
        )
        row("   Herald / baseline", f"{ratio:.0%}", target=">= 25%")
        _cpu_row(row, "   CPU ms per accepted request", herald["cpu"])
        _cpu_row(row, "   CPU ms per baseline request", baseline["cpu"])
    for key, label in (("e2e", "2. End to end"), ("e2e_light", "   End to end, light load")):
        if key not in rows:
            continue
        e2e = rows[key]
        sent, done = e2e["sent_ms"] or ["", "", ""], e2e["delivered_ms"] or ["", "", ""]
        drained = "" if e2e["is_drained"] else ", NOT all delivered"
        row(
            f"{label}: delivered/s ({e2e['delivered']:,} of {e2e['accepted']:,} accepted{drained})",
            f"{e2e['rate']:,.0f}",
            target=">= 300/s" if key == "e2e" else "",
        )
        row(
            f"   offered {e2e['offered_rate']:.0f}/s, accepted/s (API latency)",
            f"{e2e['accept']['rate']:,.0f}",
            e2e["accept"]["p50_ms"],
            e2e["accept"]["p95_ms"],
            e2e["accept"]["p99_ms"],
        )
        row("   created → sent", "", *sent, target="p99 < 2,000 ms" if key == "e2e" else "p99 < 100 ms")
        row("   created → delivered", "", *done)
        baseline_rate = _baseline_rate(rows)
        if key == "e2e" and baseline_rate:
            row(
                "   delivered/s / no-work baseline req/s",
                f"{e2e['rate'] / baseline_rate:.1%}",
                target=f">= {TARGET_E2E_VS_BASELINE:.1%}",
            )
        _cpu_row(row, "   CPU ms per delivered notification", e2e["cpu"])
    if "receipts" in rows:
        receipts = rows["receipts"]
        row(
            f"3. Receipts applied/s by the task ({receipts['applied']:,} of {receipts['queued']:,} queued)",
            f"{receipts['rate']:,.0f}",
        )
    if "mixed" in rows:
        mixed_load.table_rows(rows["mixed"], row)
    if "limits_0" in rows:
        for key, label in (
            ("limits_0", "0 rows"),
            ("limits_1m", f"{rows.get('rows_inserted', {}).get('total', 0):,} rows"),
        ):
            if key in rows:
                limits = rows[key]
                row(
                    f"4. Limit checks, one EVALSHA ({label})",
                    f"{limits['checks']:,}",
                    limits["p50_ms"],
                    "",
                    limits["p99_ms"],
                    "p99 < 2 ms",
                )
        if "rows_inserted" in rows:
            inserted = rows["rows_inserted"]
            row(f"   (INSERT … SELECT generate_series of {inserted['inserted']:,} rows, s)", f"{inserted['seconds']}")
    return "\n".join(lines)


def _cpu_row(row: Callable[..., None], label: str, cpu: dict[str, Any]) -> None:
    """Total CPU per item in the value column, each process's share and how busy the cores were in the label."""
    shares = [(PROCESS_LABELS.get(name, name), ms) for name, ms in cpu["ms"].items() if ms >= 0.005]
    row(f"{label}, {cpu['cores_busy']:.2f} cores busy", f"{sum(ms for _, ms in shares):.2f}")
    row("     " + ", ".join(f"{name} {ms:.2f}" for name, ms in shares), "")


if __name__ == "__main__":
    sys.exit(main())
