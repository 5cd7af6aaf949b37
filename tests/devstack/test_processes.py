"""One place for the workers' commands and defaults: what `make run` and `make bench` start."""

from __future__ import annotations

from app.celery.queues import QueueNames, all_queues
from devstack import processes
from devstack.processes import WorkerSettings


def _option(command: list[str] | tuple[str, ...], name: str) -> str:
    arguments = list(command)
    return arguments[arguments.index(name) + 1]


def test_workers_are_two_delivery_workers_off_the_callbacks_queue_and_one_callbacks_worker() -> None:
    specs = processes.workers(WorkerSettings())

    queues = {spec.name: _option(spec.command, "--queues").split(",") for spec in specs}
    assert queues == {
        "worker": [queue for queue in all_queues() if queue != QueueNames.CALLBACKS],
        "worker-2": [queue for queue in all_queues() if queue != QueueNames.CALLBACKS],
        "callback-worker": [QueueNames.CALLBACKS],
    }
    assert {spec.environment["CELERY_PREFETCH_MULTIPLIER"] for spec in specs} == {"8"}
    assert {_option(spec.command, "--hostname") for spec in specs} == {
        "worker@%h",
        "worker-2@%h",
        "callback-worker@%h",
    }


def test_worker_settings_take_each_celery_variable_over_its_default() -> None:
    settings = WorkerSettings.from_environ(
        {
            "CELERY_WORKERS": "3",
            "CELERY_POOL": "prefork",
            "CELERY_CONCURRENCY": "4",
            "CELERY_PREFETCH_MULTIPLIER": "1",
            "CELERY_CALLBACK_CONCURRENCY": "2",
            "CELERY_QUEUES": "send-sms,retry",
        }
    )

    specs = processes.workers(settings)

    assert [spec.name for spec in specs] == ["worker", "worker-2", "worker-3", "callback-worker"]
    assert {(_option(spec.command, "--pool"), spec.environment["CELERY_PREFETCH_MULTIPLIER"]) for spec in specs} == {
        ("prefork", "1")
    }
    assert [_option(spec.command, "--concurrency") for spec in specs] == ["4", "4", "4", "2"]
    assert _option(specs[0].command, "--queues") == "send-sms,retry"


def test_worker_settings_default_to_what_the_benchmark_measured_best() -> None:
    settings = WorkerSettings.from_environ({})

    assert (settings.processes, settings.pool, settings.concurrency, settings.prefetch_multiplier) == (
        2,
        "threads",
        16,
        8,
    )
