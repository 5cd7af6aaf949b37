"""`make bench` phase 6, scale-out: does throughput hold or grow as normal-lane worker processes are added, on each
broker Herald supports (benchmarks/bench_brokers.py), and does anything break?

For each broker a stack of its own is started on the bench's database: the API and the simulator with
CELERY_BROKER_URL pointing at that broker, and then, in turn, 1, 2 and 4 worker processes on the normal lane's queues
(the lane an API text goes to, `send-sms`) plus the callbacks worker. Each count gets the end-to-end run of phase 2
(the same load generator, rate and timestamps), then a backlog of `created` rows whose deliver tasks are published
straight to the broker: on 2 shared cores the API-paced run is bound by the accept path, the backlog by the workers
alone. The table gives delivered/s, created → sent, CPU per delivered notification (the broker's own included), the
WAL written, what the simulator was sent twice, and throughput against N = 1 and against the no-work baseline's
req/s of the same run. Ratios are what carry from one day to the next: this machine's speed varies twofold.

Between worker counts every queue is purged, so a backlog one count left cannot flatter or burden the next. When
RabbitMQ cannot be reached or no vhost can be made, its rows say why and the phase goes on.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.bench_brokers import Broker, BrokerUnavailable, purge_queues, rabbitmq_broker, redis_broker
from benchmarks.stack import BenchStack
from devstack.processes import NORMAL_QUEUES, WorkerSettings

WORKER_COUNTS = (1, 2, 4)
TARGET_VS_BASELINE = 0.045  # end to end delivered/s against the no-work baseline's req/s
BACKLOG_BATCH_SIZE = 10  # rows per batch task in the batched backlog: BULK_FEED_BATCH_SIZE's default
TARGET_SENT_P99_MS = 2_000


def normal_lane_workers(settings: WorkerSettings, processes: int) -> WorkerSettings:
    """``processes`` workers on the normal lane's queues with the normal lane's threads and prefetch (what `make run`
    starts for it), and no priority or bulk workers: only the lane the bench sends on is scaled."""
    return replace(
        settings,
        queues=NORMAL_QUEUES,
        processes=processes,
        concurrency=settings.normal_concurrency,
        prefetch_multiplier=settings.normal_prefetch_multiplier,
    )


def clear_provider_messages(simulator_url: str) -> None:
    """Forget what the simulator accepted so far."""
    request = urllib.request.Request(f"{simulator_url}/_simulator/messages", method="DELETE")
    with urllib.request.urlopen(request, timeout=30):
        pass


def provider_sends(simulator_url: str) -> dict[str, int]:
    """How many messages the simulator accepted since it was last cleared, and how many of them repeated a
    notification already sent (the same MMG cid or Firetext reference: our notification id)."""
    with urllib.request.urlopen(f"{simulator_url}/_simulator/messages", timeout=60) as response:
        messages = json.load(response)["messages"]
    references = [message["client_reference"] for message in messages]
    return {"sends": len(references), "sent_twice": len(references) - len(set(references))}


def wal_position() -> str:
    """PostgreSQL's current write-ahead log position (the bench's own server: nothing else writes to it)."""
    from sqlalchemy import text

    from app.extensions import db

    position = str(db.session.execute(text("SELECT pg_current_wal_lsn()")).scalar_one())
    db.session.commit()
    return position


def wal_bytes_since(position: str) -> int:
    from sqlalchemy import text

    from app.extensions import db

    written = db.session.execute(
        text("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(:position AS pg_lsn))"), {"position": position}
    ).scalar_one()
    db.session.commit()
    return int(written)


@dataclass(frozen=True)
class Backlog:
    """``size`` SMS notifications already `created` for the service, with a template that has nothing to fill in,
    whose deliver tasks are published straight to the broker: the workers alone set the pace of their delivery."""

    service_id: uuid.UUID
    template_id: uuid.UUID
    size: int
    drain_seconds: float


def backlog_template(service_id: uuid.UUID) -> uuid.UUID:
    """An SMS template with nothing to fill in, for rows inserted without personalisation."""
    from app.dao.templates_dao import dao_create_template
    from app.extensions import db

    template = dao_create_template(
        service_id, name="scale-out backlog", template_type="sms", content="Your scale-out code is ready."
    )
    db.session.commit()
    return template.id


def deliver_backlog(broker_url: str, backlog: Backlog, *, batch_size: int = 1) -> dict[str, Any]:
    """Insert ``backlog.size`` `created` rows, publish their deliver tasks to `send-sms` on ``broker_url`` (about
    0.2 ms a task, far faster than they are delivered): one deliver_sms each, or with ``batch_size`` > 1 one
    deliver_sms_batch per ``batch_size`` rows, as the bulk feeder publishes a job's rows; wait until all are
    delivered; the rate is delivered rows / (last `updated_at` − first `sent_at`)."""
    from celery import Celery
    from flask import current_app
    from sqlalchemy import text

    from app.celery.celery_app import celery_settings
    from app.celery.queues import QueueNames, TaskNames
    from app.extensions import db

    batch = f"bench-backlog-{secrets.token_hex(4)}"
    inserted = db.session.execute(
        text(
            """
            INSERT INTO notifications (id, "to", normalised_to, service_id, template_id, template_version,
                key_type, billable_units, notification_type, created_at, notification_status, client_reference,
                international, personalisation)
            SELECT gen_random_uuid(), '07700900123', '447700900123', :service_id, :template_id, 1, 'normal', 1,
                'sms', now(), 'created', :batch, false, NULL
            FROM generate_series(1, :count)
            RETURNING id
            """
        ),
        {"service_id": backlog.service_id, "template_id": backlog.template_id, "batch": batch, "count": backlog.size},
    )
    ids = inserted.scalars().all()
    db.session.commit()
    publisher = Celery(f"scale-out-{batch}", set_as_current=False)
    publisher.conf.update(celery_settings({**current_app.config, "CELERY_BROKER_URL": broker_url}))
    try:
        with publisher.producer_or_acquire() as producer:
            if batch_size > 1:
                for start in range(0, len(ids), batch_size):
                    part = [str(notification_id) for notification_id in ids[start : start + batch_size]]
                    publisher.send_task(
                        TaskNames.DELIVER_SMS_BATCH, args=[part], queue=QueueNames.SEND_SMS, producer=producer
                    )
            for notification_id in ids if batch_size == 1 else []:
                publisher.send_task(
                    TaskNames.DELIVER_SMS, args=[str(notification_id)], queue=QueueNames.SEND_SMS, producer=producer
                )
    finally:
        publisher.close()
    pending_sql = text(
        "SELECT count(*) FROM notifications WHERE client_reference = :batch AND notification_status <> 'delivered'"
    )
    deadline = time.monotonic() + backlog.drain_seconds
    while db.session.execute(pending_sql, {"batch": batch}).scalar_one() and time.monotonic() < deadline:
        db.session.commit()
        time.sleep(0.25)
    span = db.session.execute(
        text(
            "SELECT count(*), extract(epoch FROM max(updated_at) - min(sent_at)) FROM notifications"
            " WHERE client_reference = :batch AND notification_status = 'delivered'"
        ),
        {"batch": batch},
    ).one()
    db.session.commit()
    delivered, seconds = int(span[0]), float(span[1] or 0)
    return {"queued": len(ids), "delivered": delivered, "rate": round(delivered / seconds, 1) if seconds else 0.0}


def measure_broker(
    base: BenchStack,
    broker: Broker,
    *,
    settings: WorkerSettings,
    worker_counts: tuple[int, ...],
    measure: Callable[[BenchStack], dict[str, Any]],
    backlog: Backlog,
    queues: list[str],
    log_dir: Path,
    progress: Callable[[str], None],
) -> list[dict[str, Any]]:
    """The API and simulator on ``broker``, then each worker count in turn: the end-to-end run (with the WAL it
    wrote), then a backlog drained; the simulator counts what both sent."""
    stack = base.variant(
        extra_env={"CELERY_BROKER_URL": broker.url}, log_dir=log_dir / broker.name.lower(), service_pids=broker.pids
    )
    results = []
    try:
        stack.start_api()
        stack.start_simulator()
        for count in worker_counts:
            progress(f"scale-out: {broker.name}, {count} normal worker(s)")
            purge_queues(broker.url, queues)
            stack.start_workers(normal_lane_workers(settings, count))
            clear_provider_messages(stack.simulator_url)
            try:
                started_at = wal_position()
                measured = measure(stack)
                wal_bytes = wal_bytes_since(started_at)
                drained = deliver_backlog(broker.url, backlog)
                drained_in_batches = deliver_backlog(broker.url, backlog, batch_size=BACKLOG_BATCH_SIZE)
                results.append(
                    {
                        "broker": broker.name,
                        "workers": count,
                        **measured,
                        "wal_bytes_per_delivered": round(wal_bytes / max(1, measured["delivered"])),
                        "backlog": drained,
                        "batched_backlog": drained_in_batches,
                        **provider_sends(stack.simulator_url),
                    }
                )
            finally:
                stack.stop_workers()
        purge_queues(broker.url, queues)
    finally:
        stack.stop()
    return results


def measure_scale_out(
    base: BenchStack,
    *,
    redis_celery_url: str,
    rabbitmq_url: str,
    settings: WorkerSettings,
    worker_counts: tuple[int, ...] = WORKER_COUNTS,
    measure: Callable[[BenchStack], dict[str, Any]],
    backlog: Backlog,
    queues: list[str],
    log_dir: Path,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Every broker × worker count; a broker that cannot be measured is listed under ``skipped`` with the reason."""
    cells: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    brokers: list[tuple[str, Callable[[], Any]]] = [
        ("Redis", lambda: redis_broker(redis_celery_url)),
        ("RabbitMQ", lambda: rabbitmq_broker(rabbitmq_url)),
    ]
    for name, broker_context in brokers:
        try:
            with broker_context() as broker:
                cells += measure_broker(
                    base,
                    broker,
                    settings=settings,
                    worker_counts=worker_counts,
                    measure=measure,
                    backlog=backlog,
                    queues=queues,
                    log_dir=log_dir,
                    progress=progress,
                )
        except BrokerUnavailable as error:
            progress(f"scale-out: {name} skipped: {error}")
            skipped[name] = str(error)
    return {"cells": cells, "skipped": skipped}


def with_ratios(scale: dict[str, Any], baseline_rate: float | None) -> list[dict[str, Any]]:
    """Each cell with its delivered/s relative to the same broker's N = 1 and to the baseline's req/s."""
    first = {cell["broker"]: cell for cell in scale["cells"] if cell["workers"] == 1}
    rows = []
    for cell in scale["cells"]:
        one = first.get(cell["broker"])
        backlog_one = one["backlog"]["rate"] if one else None
        rows.append(
            {
                **cell,
                "vs_one": cell["rate"] / one["rate"] if one and one["rate"] else None,
                "vs_baseline": cell["rate"] / baseline_rate if baseline_rate else None,
                "backlog_vs_one": cell["backlog"]["rate"] / backlog_one if backlog_one else None,
                "batched_vs_single": (
                    cell["batched_backlog"]["rate"] / cell["backlog"]["rate"]
                    if "batched_backlog" in cell and cell["backlog"]["rate"]
                    else None
                ),
            }
        )
    return rows


def table(scale: dict[str, Any], baseline_rate: float | None, offered_rate: float, seconds: float) -> str:
    """The phase's own table: broker × normal-lane worker processes."""
    baseline = f"{baseline_rate:,.0f} req/s" if baseline_rate else "not measured"
    sizes = {cell["backlog"]["queued"] for cell in scale["cells"]}
    lines = [
        f"6. Scale-out: {offered_rate:.0f}/s offered for {seconds:.0f} s through the API, N worker processes on the"
        f" normal lane (+ the callbacks worker); no-work baseline of this run {baseline}; then a backlog of"
        f" {', '.join(f'{size:,}' for size in sorted(sizes))} rows whose deliver tasks are published straight to the"
        f" broker, one task each, and again in batch tasks of {BACKLOG_BATCH_SIZE} (as the bulk feeder publishes)",
        "",
        "| broker   | N | delivered/s | delivered / accepted | sent p50 ms | sent p99 ms | CPU ms / delivered"
        " | cores busy | vs N=1 | vs baseline req/s | backlog delivered/s | vs N=1 | in batches/s | vs one each"
        " | sent twice | WAL kB / delivered |",
        "|----------|--:|------------:|---------------------:|------------:|------------:|-------------------:"
        "|-----------:|-------:|------------------:|--------------------:|-------:|-------------:|------------:"
        "|-----------:|-------------------:|",
    ]
    for cell in with_ratios(scale, baseline_rate):
        sent = cell["sent_ms"] or [None, None, None]
        cpu = cell["cpu"]
        drained = "" if cell["is_drained"] else " (not all)"
        counts = f"{cell['delivered']:,} / {cell['accepted']:,}{drained}"
        left = cell["backlog"]["queued"] - cell["backlog"]["delivered"]
        backlog = f"{cell['backlog']['rate']:,.0f}" + (f" ({left:,} left)" if left else "")
        batched = cell.get("batched_backlog")
        in_batches = "" if batched is None else f"{batched['rate']:,.0f}"
        if batched is not None and batched["queued"] > batched["delivered"]:
            in_batches += f" ({batched['queued'] - batched['delivered']:,} left)"
        lines.append(
            f"| {cell['broker']:<8} | {cell['workers']} | {cell['rate']:>11,.0f} | {counts:>20} |"
            f" {_number(sent[0]):>11} | {_number(sent[2]):>11} | {sum(cpu['ms'].values()):>18.2f} |"
            f" {cpu['cores_busy']:>10.2f} | {_ratio(cell['vs_one']):>6} | {_ratio(cell['vs_baseline']):>17} |"
            f" {backlog:>19} | {_ratio(cell['backlog_vs_one']):>6} | {in_batches:>12} |"
            f" {_ratio(cell.get('batched_vs_single')):>11} | {cell['sent_twice']:>10} |"
            f" {cell['wal_bytes_per_delivered'] / 1024:>18.1f} |"
        )
    for name, reason in scale["skipped"].items():
        lines.append(f"| {name:<8} | — | skipped: {reason}")
    lines.append("")
    lines.append(
        f"Targets: delivered/s ≥ {TARGET_VS_BASELINE:.1%} of the baseline's req/s; created → sent p99 <"
        f" {TARGET_SENT_P99_MS:,} ms at that load. On 2 cores N = 4 cannot beat N = 2 on CPU: the question is"
        " whether throughput holds as N grows and every notification is still delivered once. The API run is bound by"
        " the accept path sharing the cores; the backlog shows what the workers alone deliver."
    )
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}" if value < 0.1 else f"{value:.0%}"
