"""The reliability tests' Celery worker: devstack's worker spec, quiet so that a worker the test kills is noticed by
no other, and the type of the fixtures that start workers and beat."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from app.celery.queues import all_queues
from devstack import processes
from devstack.child import ChildProcess
from devstack.processes import ProcessSpec

StartWorker = Callable[..., ChildProcess]


def worker_spec(*, concurrency: int = 4) -> ProcessSpec:
    """A threads worker on every queue, a node of its own (unique across test processes)."""
    return processes.worker(
        f"reliability-{os.getpid()}-{time.monotonic_ns()}",
        queues=all_queues(),
        concurrency=concurrency,
        options=(*processes.WITHOUT_MINGLE_OR_GOSSIP, "--without-heartbeat"),
    )
