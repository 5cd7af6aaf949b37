"""Start Herald's processes the way `make run` does (API under gunicorn, Celery worker and beat, the provider
simulator) against the test session's database and Redis, for whole-stack tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from app.celery.queues import all_queues
from app.local_processes import free_port, simulator_wiring, wait_for_http

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class HeraldStack:
    """The API, worker, beat and simulator as child processes; `stop()` ends every one of them."""

    def __init__(self, *, database_url: str, redis_url: str, log_dir: Path, extra_env: Mapping[str, str] = ()) -> None:
        self.api_port = free_port()
        self.simulator_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.simulator_url = f"http://127.0.0.1:{self.simulator_port}"
        self.log_dir = log_dir
        self.environment = {
            **os.environ,
            "NOTIFY_ENVIRONMENT": "development",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORT": str(self.api_port),
            "GUNICORN_WORKERS": "2",
            **simulator_wiring(api_url=self.api_url, simulator_port=self.simulator_port),
            "API_KEY_CACHE_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            **dict(extra_env),
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def _commands(self) -> dict[str, list[str]]:
        celery = [str(BIN / "celery"), "-A", "run_celery"]
        return {
            "simulator": [str(BIN / "python"), "-m", "app.simulator"],
            "api": [str(BIN / "gunicorn"), "-c", "gunicorn_config.py", "application:app"],
            "worker": celery
            + [
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "threads",
                "--concurrency",
                "8",
                "--without-mingle",
                "--without-gossip",
                "--queues",
                ",".join(all_queues()),
            ],
        }

    def start(self, *, with_beat: bool = False) -> HeraldStack:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        commands = self._commands()
        if with_beat:
            commands["beat"] = [
                str(BIN / "celery"),
                "-A",
                "run_celery",
                "beat",
                "--schedule",
                str(self.log_dir / "celerybeat-schedule"),
            ]
        for name, command in commands.items():
            with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
                self.processes[name] = subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=self.environment,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
        wait_for_http(f"{self.api_url}/_status")
        wait_for_http(f"{self.simulator_url}/_simulator/health")
        return self

    def stop_process(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_process(name)

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}" for path in sorted(self.log_dir.glob("*.log"))
        )
