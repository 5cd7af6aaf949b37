"""Start the processes the benchmark measures (gunicorn API, Celery worker, provider simulator), each on a free port
with its output in a log file, the way `make run` starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from app.celery.queues import all_queues
from app.local_processes import free_port, simulator_wiring, wait_for_http

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUEUES = ",".join(all_queues())


class BenchStack:
    """Child processes by name; each runs in its own process group so `stop` ends it and all of its workers."""

    def __init__(
        self,
        *,
        database_url: str,
        redis_url: str,
        log_dir: Path,
        extra_env: Mapping[str, str],
        service_pids: Mapping[str, int] | None = None,
    ) -> None:
        self.api_port, self.baseline_port, self.simulator_port = free_port(), free_port(), free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.baseline_url = f"http://127.0.0.1:{self.baseline_port}"
        self.simulator_url = f"http://127.0.0.1:{self.simulator_port}"
        self.log_dir = log_dir
        self.environment = {
            **os.environ,
            "NOTIFY_ENVIRONMENT": "development",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORT": str(self.api_port),
            **simulator_wiring(api_url=self.api_url, simulator_port=self.simulator_port),
            "SIMULATOR_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **dict(extra_env),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.service_pids = dict(service_pids or {})  # servers this stack did not start (PostgreSQL, Redis)

    def _start(self, name: str, command: list[str], environment: Mapping[str, str] | None = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it; closed when it ends
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(environment or self.environment),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_api(self) -> None:
        self._start("api", [str(BIN / "gunicorn"), "-c", "gunicorn_config.py", "application:app"])
        wait_for_http(f"{self.api_url}/_status")

    def start_baseline(self) -> None:
        environment = {**self.environment, "PORT": str(self.baseline_port)}
        command = [str(BIN / "gunicorn"), "-c", "gunicorn_config.py", "benchmarks.baseline_app:app"]
        self._start("baseline", command, environment)
        wait_for_http(f"{self.baseline_url}/")

    def start_simulator(self) -> None:
        self._start("simulator", [str(BIN / "python"), "-m", "app.simulator"])
        wait_for_http(f"{self.simulator_url}/_simulator/health")

    def start_workers(self, *, processes: int, pool: str, concurrency: int, prefetch_multiplier: int) -> None:
        """``processes`` Celery workers on every queue (each its own node), started one after another."""
        environment = {**self.environment, "CELERY_PREFETCH_MULTIPLIER": str(prefetch_multiplier)}
        for number in range(1, processes + 1):
            name = self.worker_name(number)
            command = [str(BIN / "celery"), "-A", "run_celery", "worker", "--loglevel", "INFO", "--pool", pool]
            command += ["--concurrency", str(concurrency), "--hostname", f"{name}@%h", "--without-mingle"]
            command += ["--without-gossip", "--queues", QUEUES]
            log_path = self.log_dir / f"{name}.log"
            log_offset = log_path.stat().st_size if log_path.exists() else 0
            self._start(name, command, environment)
            self._wait_for_log_line(log_path, log_offset, b" ready.")

    @staticmethod
    def worker_name(number: int) -> str:
        return "worker" if number == 1 else f"worker-{number}"

    def stop_workers(self) -> None:
        for name in [name for name in self.processes if name.startswith("worker")]:
            self.stop(name)

    def _wait_for_log_line(self, log_path: Path, offset: int, marker: bytes, timeout_seconds: float = 30.0) -> None:
        """Wait until ``marker`` appears in the log after ``offset`` (Celery logs "celery@host ready." at start)."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            with open(log_path, "rb") as log:
                log.seek(offset)
                if marker in log.read():
                    return
            time.sleep(0.1)
        raise TimeoutError(f"{log_path.name} did not show {marker!r} within {timeout_seconds} s")

    def pids(self) -> dict[str, int]:
        """The pid of each running child (gunicorn's master, Celery's main process) and server, by name."""
        children = {name: process.pid for name, process in self.processes.items() if process.poll() is None}
        return {**children, **self.service_pids}

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
