"""The scale-out phase's pieces that need no running stack: the workers it starts, the vhost URL, the ratios and the
table (a broker it could not measure is listed with the reason, never silently left out)."""

from __future__ import annotations

from typing import Any

from benchmarks.bench_brokers import with_vhost
from benchmarks.scale_out import normal_lane_workers, table, with_ratios
from devstack import processes
from devstack.processes import NORMAL_QUEUES, WorkerSettings


def _cell(broker: str, workers: int, rate: float, backlog_rate: float) -> dict[str, Any]:
    return {
        "broker": broker,
        "workers": workers,
        "rate": rate,
        "delivered": 800,
        "accepted": 800,
        "is_drained": True,
        "sent_ms": [50.0, 200.0, 400.0],
        "cpu": {"ms": {"api": 4.0, "worker": 5.0}, "cores_busy": 1.8},
        "wal_bytes_per_delivered": 5_120,
        "backlog": {"queued": 1_000, "delivered": 1_000, "rate": backlog_rate},
        "batched_backlog": {"queued": 1_000, "delivered": 990, "rate": 2 * backlog_rate},
        "sends": 1_800,
        "sent_twice": 0,
    }


def test_only_the_normal_lane_is_scaled_with_its_own_threads_and_prefetch() -> None:
    settings = normal_lane_workers(WorkerSettings(normal_concurrency=12, normal_prefetch_multiplier=3), 4)

    specs = processes.workers(settings)

    assert [spec.name for spec in specs] == ["worker", "worker-2", "worker-3", "worker-4", "callback-worker"]
    assert all(f"--queues {','.join(NORMAL_QUEUES)}" in " ".join(spec.command) for spec in specs[:4])
    assert {spec.environment["CELERY_PREFETCH_MULTIPLIER"] for spec in specs[:4]} == {"3"}
    assert all("--concurrency 12" in " ".join(spec.command) for spec in specs[:4])


def test_the_vhost_replaces_the_path_and_keeps_the_credentials() -> None:
    assert with_vhost("amqp://guest:guest@127.0.0.1:5672//", "herald-bench-1") == (
        "amqp://guest:guest@127.0.0.1:5672/herald-bench-1"
    )


def test_ratios_are_against_the_same_broker_s_single_worker_and_the_baseline() -> None:
    scale = {"cells": [_cell("Redis", 1, 100, 150), _cell("Redis", 2, 120, 270), _cell("RabbitMQ", 1, 80, 100)]}

    rows = with_ratios(scale, baseline_rate=2_000)

    assert [(row["vs_one"], row["vs_baseline"], row["backlog_vs_one"]) for row in rows] == [
        (1.0, 0.05, 1.0),
        (1.2, 0.06, 1.8),
        (1.0, 0.04, 1.0),
    ]


def test_the_table_lists_a_broker_it_could_not_measure_with_the_reason() -> None:
    scale = {"cells": [_cell("Redis", 1, 100, 150)], "skipped": {"RabbitMQ": "RabbitMQ at 127.0.0.1:5672 is down"}}

    lines = table(scale, baseline_rate=None, offered_rate=300, seconds=8).splitlines()

    assert lines[-3] == "| RabbitMQ | — | skipped: RabbitMQ at 127.0.0.1:5672 is down"
    assert "no-work baseline of this run not measured" in lines[0]
    redis = next(line for line in lines if line.startswith("| Redis"))
    assert [field.strip() for field in redis.split("|")[1:-1]] == [
        "Redis",
        "1",
        "100",
        "800 / 800",
        "50",
        "400",
        "9.00",
        "1.80",
        "100%",
        "—",
        "150",
        "100%",
        "300 (10 left)",
        "200%",
        "0",
        "5.0",
    ]
