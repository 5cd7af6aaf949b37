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
from tests.reliability.provider_stub import ACCEPT, ProviderStub
from tests.reliability.waiting import wait_until

StartWorker = Callable[..., ChildProcess]


def worker_spec(*, concurrency: int = 4) -> ProcessSpec:
    """A threads worker on every queue, a node of its own (unique across test processes)."""
    return processes.worker(
        f"reliability-{os.getpid()}-{time.monotonic_ns()}",
        queues=all_queues(),
        concurrency=concurrency,
        options=(*processes.WITHOUT_MINGLE_OR_GOSSIP, "--without-heartbeat"),
    )


def replace_worker_killed_mid_send(
    doomed: ChildProcess, start_worker: StartWorker, provider_stub: ProviderStub, notification_ids: list[str]
) -> ChildProcess:
    """Kill ``doomed`` while the stub holds its provider requests, let the providers accept again, start a survivor
    and wait until every notification was accepted; returns the survivor."""
    doomed.kill()
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, ACCEPT)
    provider_stub.release_held_requests()
    survivor = start_worker()
    wait_until(
        lambda: sorted(provider_stub.accepted_references()) == sorted(notification_ids),
        describe=lambda: f"accepted {provider_stub.accepted_references()}\n{survivor.log()[-3000:]}",
    )
    return survivor
