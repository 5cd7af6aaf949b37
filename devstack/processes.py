"""What each of Herald's processes runs: the command, the settings it takes from the environment, how to tell it is
ready. The one place `make run`, `make bench` and the whole-stack tests take them from."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.celery.queues import QueueNames

BIN = Path(sys.executable).parent
CELERY = [str(BIN / "celery"), "-A", "run_celery"]
NICE = "nice"
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


# The queues of each kind of delivery worker. Celery keeps one prefetch buffer per worker process, so a lane that must
# never wait behind another has consumers of its own: a priority send is never behind a prefetched normal or bulk
# message, an API send never behind a job's rows. Retries and a job's own processing are bulk-lane work. Letters
# (their PDFs, the precompiled checks, the print provider) are few and wait for a daily print run: normal workers.
PRIORITY_QUEUES = (QueueNames.PRIORITY_SMS, QueueNames.PRIORITY_EMAIL)
NORMAL_QUEUES = (
    QueueNames.SEND_SMS,
    QueueNames.SEND_EMAIL,
    QueueNames.RESEARCH_MODE,
    QueueNames.RECEIPTS,
    QueueNames.PERIODIC,
    QueueNames.CREATE_LETTERS_PDF,
    QueueNames.ANTIVIRUS,
    QueueNames.SANITISE_LETTERS,
    QueueNames.SEND_LETTER,
)
BULK_QUEUES = (QueueNames.BULK_SMS, QueueNames.BULK_EMAIL, QueueNames.RETRY, QueueNames.JOBS)


@dataclass(frozen=True)
class WorkerSettings:
    """How many Celery workers of each lane run and how, and the callbacks worker's threads.

    ``processes``, ``pool``, ``concurrency`` and ``prefetch_multiplier`` are the bulk workers' (they do most of the
    sending: a job's rows and every retry); the normal workers take API sends, receipts and the periodic tasks (two
    processes, as all the delivery workers were before the lanes, so API sends keep up to two cores); the
    priority worker only sends from priority templates, one message prefetched per thread so nothing it holds waits
    for a busy thread. The defaults are what `make bench` measured on 2 cores (benchmarks/RESULTS.md). ``queues``,
    when given, replaces the lanes with ``processes`` identical workers on those queues (for experiments).
    """

    processes: int = 2
    pool: str = "threads"
    concurrency: int = 16
    # One message per thread: a bulk message carries BULK_FEED_BATCH_SIZE rows, so a deeper prefetch would hold
    # thousands of one job's rows ahead of a job started after it (the fair shares are kept in the queue, not here).
    prefetch_multiplier: int = 1
    normal_processes: int = 2
    normal_concurrency: int = 16
    normal_prefetch_multiplier: int = 2
    priority_concurrency: int = 4
    priority_prefetch_multiplier: int = 1
    # The bulk workers' scheduling niceness: when the cores are all busy (a job draining at full speed), the kernel
    # runs the API and the priority and normal workers first, so a lane's wait is not spent waiting for a core.
    bulk_niceness: int = 10
    callback_concurrency: int = 16
    callback_prefetch_multiplier: int = 8
    queues: Sequence[str] | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> WorkerSettings:
        """The defaults, each overridden by its CELERY_* variable when set."""
        default = cls()

        def number(name: str, fallback: int) -> int:
            return int(environ.get(name, fallback))

        queues = environ.get("CELERY_QUEUES")
        return cls(
            processes=number("CELERY_WORKERS", default.processes),
            pool=environ.get("CELERY_POOL", default.pool),
            concurrency=number("CELERY_CONCURRENCY", default.concurrency),
            prefetch_multiplier=number("CELERY_PREFETCH_MULTIPLIER", default.prefetch_multiplier),
            normal_processes=number("CELERY_NORMAL_WORKERS", default.normal_processes),
            normal_concurrency=number("CELERY_NORMAL_CONCURRENCY", default.normal_concurrency),
            normal_prefetch_multiplier=number("CELERY_NORMAL_PREFETCH_MULTIPLIER", default.normal_prefetch_multiplier),
            priority_concurrency=number("CELERY_PRIORITY_CONCURRENCY", default.priority_concurrency),
            priority_prefetch_multiplier=number(
                "CELERY_PRIORITY_PREFETCH_MULTIPLIER", default.priority_prefetch_multiplier
            ),
            bulk_niceness=number("CELERY_BULK_NICENESS", default.bulk_niceness),
            callback_concurrency=number("CELERY_CALLBACK_CONCURRENCY", default.callback_concurrency),
            callback_prefetch_multiplier=number(
                "CELERY_CALLBACK_PREFETCH_MULTIPLIER", default.callback_prefetch_multiplier
            ),
            queues=queues.split(",") if queues else None,
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
    niceness: int = 0,
) -> ProcessSpec:
    """A Celery worker, its own node (``name``@host) on ``queues``, with extra command-line ``options``, run at
    ``niceness`` (`nice` execs the worker: its pid is the worker's)."""
    command = [NICE, "-n", str(niceness)] if niceness else []
    command += [*CELERY, "worker", "--loglevel", "INFO", "--hostname", f"{name}@%h", "--pool", pool]
    command += ["--concurrency", str(concurrency), "--queues", ",".join(queues), *options]
    return ProcessSpec(
        name=name, command=command, environment=dict(environment or {}), ready_log_pattern=WORKER_READY_PATTERN
    )


def workers(settings: WorkerSettings, *, options: Sequence[str] = ()) -> list[ProcessSpec]:
    """The delivery workers, one kind per lane (`priority-worker`; `worker`, `worker-2`, … for the normal lane;
    `bulk-worker`, `bulk-worker-2`, …), or ``settings.processes`` workers on ``settings.queues`` when given; then
    the callbacks worker.

    Callbacks wait on tenants' endpoints (up to SERVICE_CALLBACK_TIMEOUT_SECONDS each): their own process and
    threads, so a slow tenant can hold up only other callbacks, never a delivery or a receipt.
    """

    def celery_worker(
        name: str, queues: Sequence[str], concurrency: int, prefetch_multiplier: int, niceness: int = 0
    ) -> ProcessSpec:
        return worker(
            name,
            queues=queues,
            concurrency=concurrency,
            pool=settings.pool,
            options=options,
            environment={"CELERY_PREFETCH_MULTIPLIER": str(prefetch_multiplier)},
            niceness=niceness,
        )

    if settings.queues is not None:
        delivery = [
            celery_worker(worker_name(number), settings.queues, settings.concurrency, settings.prefetch_multiplier)
            for number in range(1, settings.processes + 1)
        ]
    else:
        priority = celery_worker(
            "priority-worker", PRIORITY_QUEUES, settings.priority_concurrency, settings.priority_prefetch_multiplier
        )
        normal = [
            celery_worker(
                worker_name(number), NORMAL_QUEUES, settings.normal_concurrency, settings.normal_prefetch_multiplier
            )
            for number in range(1, settings.normal_processes + 1)
        ]
        bulk = [
            celery_worker(
                worker_name(number, prefix="bulk-worker"),
                BULK_QUEUES,
                settings.concurrency,
                settings.prefetch_multiplier,
                settings.bulk_niceness,
            )
            for number in range(1, settings.processes + 1)
        ]
        delivery = [priority, *normal, *bulk]
    callbacks = celery_worker(
        "callback-worker", [QueueNames.CALLBACKS], settings.callback_concurrency, settings.callback_prefetch_multiplier
    )
    return [*delivery, callbacks]


def worker_name(number: int, *, prefix: str = "worker") -> str:
    """``prefix`` for the first worker of a kind, ``prefix-<number>`` for the others."""
    return prefix if number == 1 else f"{prefix}-{number}"


def beat(schedule: Path) -> ProcessSpec:
    """Celery beat, keeping its schedule state in ``schedule``."""
    command = [*CELERY, "beat", "--loglevel", "INFO", "--schedule", str(schedule)]
    return ProcessSpec(name="beat", command=command, ready_log_pattern=BEAT_READY_PATTERN)
