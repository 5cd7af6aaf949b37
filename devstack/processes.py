"""What each of Herald's processes runs: the command, the settings it takes from the environment, how to tell it is
ready. The one place `make run`, `make bench` and the whole-stack tests take them from."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from app.celery.queues import QueueNames, all_queues

BIN = Path(sys.executable).parent
CELERY = [str(BIN / "celery"), "-A", "run_celery"]
# Celery logs "<hostname> ready." once it consumes; beat logs "beat: Starting..." once it schedules.
WORKER_READY_PATTERN = r" ready\."
BEAT_READY_PATTERN = r"beat: Starting"
# Mingle and gossip only slow a worker's start when no other worker needs to hear from it.
WITHOUT_MINGLE_OR_GOSSIP = ("--without-mingle", "--without-gossip")


@dataclass(frozen=True)
class ProcessSpec:
    """One child process: its name, command, the settings it adds to the group's environment, and its readiness
    (a URL that answers below 500, or a pattern its log shows after it started); neither means "started"."""

    name: str
    command: Sequence[str]
    environment: Mapping[str, str] = field(default_factory=dict)
    ready_url: str | None = None
    ready_log_pattern: str | None = None


@dataclass(frozen=True)
class WorkerSettings:
    """How many Celery delivery workers run and how, and the callbacks worker's threads.

    The defaults are what `make bench` measured best on 2 cores (benchmarks/RESULTS.md): two worker processes (one
    Python process cannot use more than one core) of 16 threads each, prefetching 8 tasks a thread.
    """

    processes: int = 2
    pool: str = "threads"
    concurrency: int = 16
    prefetch_multiplier: int = 8
    callback_concurrency: int = 16
    queues: Sequence[str] = field(default_factory=lambda: [q for q in all_queues() if q != QueueNames.CALLBACKS])

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> WorkerSettings:
        """The defaults, each overridden by its CELERY_* variable when set."""
        default = cls()
        queues = environ.get("CELERY_QUEUES")
        return cls(
            processes=int(environ.get("CELERY_WORKERS", default.processes)),
            pool=environ.get("CELERY_POOL", default.pool),
            concurrency=int(environ.get("CELERY_CONCURRENCY", default.concurrency)),
            prefetch_multiplier=int(environ.get("CELERY_PREFETCH_MULTIPLIER", default.prefetch_multiplier)),
            callback_concurrency=int(environ.get("CELERY_CALLBACK_CONCURRENCY", default.callback_concurrency)),
            queues=queues.split(",") if queues else default.queues,
        )


def gunicorn(name: str, wsgi_app: str, *, port: int | str, ready_path: str) -> ProcessSpec:
    """A WSGI app under gunicorn_config.py, listening on ``port``."""
    return ProcessSpec(
        name=name,
        command=[str(BIN / "gunicorn"), "-c", "gunicorn_config.py", wsgi_app],
        environment={"PORT": str(port)},
        ready_url=f"http://127.0.0.1:{port}{ready_path}",
    )


def api(port: int | str) -> ProcessSpec:
    """Herald's API (`application:app`), ready once `/_status` answers."""
    return gunicorn("api", "application:app", port=port, ready_path="/_status")


def simulator(port: int | str) -> ProcessSpec:
    """The provider simulator (`python -m app.simulator`), ready once its health check answers."""
    return ProcessSpec(
        name="simulator",
        command=[str(BIN / "python"), "-m", "app.simulator"],
        ready_url=f"http://127.0.0.1:{port}/_simulator/health",
    )


def worker(
    name: str,
    *,
    queues: Sequence[str],
    concurrency: int,
    pool: str = "threads",
    options: Sequence[str] = (),
    environment: Mapping[str, str] | None = None,
) -> ProcessSpec:
    """A Celery worker, its own node (``name``@host) on ``queues``, with extra command-line ``options``."""
    command = [*CELERY, "worker", "--loglevel", "INFO", "--hostname", f"{name}@%h", "--pool", pool]
    command += ["--concurrency", str(concurrency), "--queues", ",".join(queues), *options]
    return ProcessSpec(
        name=name, command=command, environment=dict(environment or {}), ready_log_pattern=WORKER_READY_PATTERN
    )


def workers(settings: WorkerSettings, *, options: Sequence[str] = ()) -> list[ProcessSpec]:
    """The delivery workers (`worker`, `worker-2`, …, each on ``settings.queues``) and the callbacks worker.

    Callbacks wait on tenants' endpoints (up to SERVICE_CALLBACK_TIMEOUT_SECONDS each): their own process and
    threads, so a slow tenant can hold up only other callbacks, never a delivery or a receipt.
    """
    prefetch = {"CELERY_PREFETCH_MULTIPLIER": str(settings.prefetch_multiplier)}
    celery_worker = partial(worker, pool=settings.pool, options=options, environment=prefetch)
    delivery = [
        celery_worker(worker_name(number), queues=settings.queues, concurrency=settings.concurrency)
        for number in range(1, settings.processes + 1)
    ]
    callbacks = celery_worker(
        "callback-worker", queues=[QueueNames.CALLBACKS], concurrency=settings.callback_concurrency
    )
    return [*delivery, callbacks]


def worker_name(number: int) -> str:
    """`worker` for the first delivery worker, `worker-<number>` for the others."""
    return "worker" if number == 1 else f"worker-{number}"


def beat(schedule: Path) -> ProcessSpec:
    """Celery beat, keeping its schedule state in ``schedule``."""
    command = [*CELERY, "beat", "--loglevel", "INFO", "--schedule", str(schedule)]
    return ProcessSpec(name="beat", command=command, ready_log_pattern=BEAT_READY_PATTERN)
