"""Herald as `make run` starts it (API under gunicorn, a Celery worker, the provider simulator), from devstack, on
the test session's database and the Redis it is given, for whole-stack tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from app.celery.queues import all_queues
from devstack import processes
from devstack.processes import WorkerSettings
from devstack.stack import LocalStack
from tests.reliability.redis_server import RedisServer


class HeraldStack(LocalStack):
    """The API (two gunicorn workers, API keys cached for a second), the Celery workers and the simulator, each
    logging to ``log_dir``; `stop()` ends every one of them. The workers are one on every queue, or with
    ``worker_settings`` the lane workers `make run` starts."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        log_dir: Path,
        extra_env: Mapping[str, str] = (),
        worker_settings: WorkerSettings | None = None,
    ) -> None:
        settings = {"GUNICORN_WORKERS": "2", "API_KEY_CACHE_SECONDS": "1", **dict(extra_env)}
        super().__init__(database_url=database_url, redis_url=redis_url, log_dir=log_dir, settings=settings)
        self.worker_settings = worker_settings

    def start(self) -> HeraldStack:
        if self.worker_settings is None:
            workers = [
                processes.worker(
                    "worker", queues=all_queues(), concurrency=8, options=processes.WITHOUT_MINGLE_OR_GOSSIP
                )
            ]
        else:
            workers = processes.workers(self.worker_settings, options=processes.WITHOUT_MINGLE_OR_GOSSIP)
        self.group.start(self.simulator(), self.api(), *workers)
        return self


@contextmanager
def herald_on_its_own_broker(
    *,
    database_url: str,
    log_dir: Path,
    extra_env: Mapping[str, str],
    worker_settings: WorkerSettings | None = None,
    stack_class: type[HeraldStack] = HeraldStack,
) -> Iterator[HeraldStack]:
    """A running HeraldStack whose Redis is a server of its own: the test session's Redis is flushed between tests,
    which would also wipe the broker's queue bindings under a running worker."""
    broker_directory = Path(tempfile.mkdtemp(prefix="herald-e2e-"))  # short: a unix socket path has 108 bytes
    broker = RedisServer(broker_directory).start()
    herald = stack_class(
        database_url=database_url,
        redis_url=broker.url,
        log_dir=log_dir,
        extra_env=extra_env,
        worker_settings=worker_settings,
    )
    try:
        yield herald.start()
    finally:
        herald.stop()
        broker.kill()
        shutil.rmtree(broker_directory, ignore_errors=True)
