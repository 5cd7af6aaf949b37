"""One place for the workers' commands and defaults: what `make run` and `make bench` start."""

from __future__ import annotations

from app.celery.queues import QueueNames, all_queues
from devstack import processes
from devstack.processes import WorkerSettings


def _option(command: list[str] | tuple[str, ...], name: str) -> str:
    arguments = list(command)
    return arguments[arguments.index(name) + 1]


NORMAL_WORKER_QUEUES = [
    "send-sms",
    "send-email",
    "research-mode",
    "receipts",
    "periodic",
    "create-letters-pdf-tasks",
    "antivirus-tasks",
    "sanitise-letter-tasks",
    "send-letter-tasks",
]


def test_workers_are_one_kind_per_lane_and_one_callbacks_worker() -> None:
    specs = processes.workers(WorkerSettings())

    queues = {spec.name: _option(spec.command, "--queues").split(",") for spec in specs}
    prefetch = {spec.name: spec.environment["CELERY_PREFETCH_MULTIPLIER"] for spec in specs}
    threads = {spec.name: _option(spec.command, "--concurrency") for spec in specs}
    assert queues == {
        "priority-worker": ["priority-sms", "priority-email"],
        "worker": NORMAL_WORKER_QUEUES,
        "worker-2": NORMAL_WORKER_QUEUES,
        "bulk-worker": ["bulk-sms", "bulk-email", "retry", "jobs"],
        "bulk-worker-2": ["bulk-sms", "bulk-email", "retry", "jobs"],
        "callback-worker": [QueueNames.CALLBACKS],
    }
    assert prefetch == {
        "priority-worker": "1",
        "worker": "2",
        "worker-2": "2",
        "bulk-worker": "1",
        "bulk-worker-2": "1",
        "callback-worker": "8",
    }
    assert threads == {
        "priority-worker": "4",
        "worker": "16",
        "worker-2": "16",
        "bulk-worker": "16",
        "bulk-worker-2": "16",
        "callback-worker": "16",
    }
    assert {_option(spec.command, "--hostname") for spec in specs} == {f"{name}@%h" for name in queues}
    # Bulk workers yield the cores to the API and the other lanes when all are busy.
    assert {spec.name: spec.command[:3] for spec in specs if spec.command[0] == "nice"} == {
        "bulk-worker": ["nice", "-n", "10"],
        "bulk-worker-2": ["nice", "-n", "10"],
    }


def test_every_queue_has_exactly_one_kind_of_worker() -> None:
    kinds = [processes.PRIORITY_QUEUES, processes.NORMAL_QUEUES, processes.BULK_QUEUES, (QueueNames.CALLBACKS,)]

    consumed = [queue for kind in kinds for queue in kind]

    assert sorted(consumed) == sorted(all_queues())


def test_lane_workers_take_their_celery_variables() -> None:
    settings = WorkerSettings.from_environ(
        {
            "CELERY_NORMAL_WORKERS": "2",
            "CELERY_NORMAL_CONCURRENCY": "6",
            "CELERY_NORMAL_PREFETCH_MULTIPLIER": "3",
            "CELERY_PRIORITY_CONCURRENCY": "2",
            "CELERY_PRIORITY_PREFETCH_MULTIPLIER": "2",
            "CELERY_WORKERS": "1",
            "CELERY_BULK_NICENESS": "0",
        }
    )

    specs = processes.workers(settings)

    assert [
        (spec.name, _option(spec.command, "--concurrency"), spec.environment["CELERY_PREFETCH_MULTIPLIER"])
        for spec in specs
    ] == [
        ("priority-worker", "2", "2"),
        ("worker", "6", "3"),
        ("worker-2", "6", "3"),
        ("bulk-worker", "16", "1"),
        ("callback-worker", "16", "8"),
    ]
    assert [spec.command[0] for spec in specs] == [processes.CELERY[0]] * 5


def test_worker_settings_take_each_celery_variable_over_its_default() -> None:
    settings = WorkerSettings.from_environ(
        {
            "CELERY_WORKERS": "3",
            "CELERY_POOL": "prefork",
            "CELERY_CONCURRENCY": "4",
            "CELERY_PREFETCH_MULTIPLIER": "1",
            "CELERY_CALLBACK_CONCURRENCY": "2",
            "CELERY_CALLBACK_PREFETCH_MULTIPLIER": "1",
            "CELERY_QUEUES": "send-sms,retry",
        }
    )

    specs = processes.workers(settings)

    assert [spec.name for spec in specs] == ["worker", "worker-2", "worker-3", "callback-worker"]
    assert {(_option(spec.command, "--pool"), spec.environment["CELERY_PREFETCH_MULTIPLIER"]) for spec in specs} == {
        ("prefork", "1")
    }  # the queues given replace the lanes
    assert [_option(spec.command, "--concurrency") for spec in specs] == ["4", "4", "4", "2"]
    assert _option(specs[0].command, "--queues") == "send-sms,retry"


def test_worker_settings_default_to_what_the_benchmark_measured_best() -> None:
    settings = WorkerSettings.from_environ({})

    assert (settings.processes, settings.pool, settings.concurrency, settings.prefetch_multiplier) == (
        2,
        "threads",
        16,
        1,
    )
