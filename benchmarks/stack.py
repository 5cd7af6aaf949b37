"""The processes the benchmark measures (gunicorn API, the no-work baseline, Celery workers, provider simulator), from
devstack, each on a free port with its output in a log file, the way `make run` starts them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from devstack import processes
from devstack.network import free_port
from devstack.processes import WorkerSettings
from devstack.stack import LocalStack


class BenchStack(LocalStack):
    """Herald wired to the simulator, plus the baseline app; `pids` adds the servers it did not start."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        log_dir: Path,
        extra_env: Mapping[str, str],
        service_pids: Mapping[str, int] | None = None,
    ) -> None:
        settings = {"SIMULATOR_LOG_LEVEL": "WARNING", **dict(extra_env)}
        super().__init__(database_url=database_url, redis_url=redis_url, log_dir=log_dir, settings=settings)
        self._database_url, self._redis_url = database_url, redis_url
        self._extra_env = dict(extra_env)
        self.baseline_port = free_port()
        self.baseline_url = f"http://127.0.0.1:{self.baseline_port}"
        self.service_pids = dict(service_pids or {})  # servers this stack did not start (PostgreSQL, Redis)
        self.worker_names: list[str] = []

    def variant(
        self, *, extra_env: Mapping[str, str], log_dir: Path, service_pids: Mapping[str, int] | None = None
    ) -> BenchStack:
        """A second stack on the same database and Redis (new ports, its logs in ``log_dir``) whose processes also
        take ``extra_env`` (a different broker, say) and whose `pids` also name ``service_pids``."""
        return BenchStack(
            database_url=self._database_url,
            redis_url=self._redis_url,
            log_dir=log_dir,
            extra_env={**self._extra_env, **extra_env},
            service_pids={**self.service_pids, **dict(service_pids or {})},
        )

    def start_api(self) -> None:
        self.group.start(self.api())

    def start_baseline(self) -> None:
        self.group.start(
            processes.gunicorn("baseline", "benchmarks.baseline_app:app", port=self.baseline_port, ready_path="/")
        )

    def start_simulator(self) -> None:
        self.group.start(self.simulator())

    def start_workers(self, settings: WorkerSettings) -> None:
        """The workers `make run` starts with ``settings``, started one after another, each awaited."""
        for spec in processes.workers(settings, options=processes.WITHOUT_MINGLE_OR_GOSSIP):
            self.group.start(spec)
            self.worker_names.append(spec.name)

    def stop_workers(self) -> None:
        self.stop(*self.worker_names)
        self.worker_names = []

    def pids(self) -> dict[str, int]:
        """The pid of each running child (gunicorn's master, Celery's main process) and server, by name."""
        return {**self.group.pids(), **self.service_pids}
