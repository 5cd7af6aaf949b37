"""A real Celery worker (`celery -A run_celery worker --pool threads`) or beat as a child process of the test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
QUEUES = "send-sms,send-email,research-mode,retry,receipts,periodic,callbacks"


class WorkerProcess:
    def __init__(self, environment: Mapping[str, str], log_path: Path, *, concurrency: int = 4) -> None:
        self.environment = dict(environment)
        self.log_path = log_path
        self.concurrency = concurrency
        self._process: subprocess.Popen[bytes] | None = None

    ready_pattern = r"ready\."

    def command(self) -> list[str]:
        return [
            str(CELERY), "-A", "run_celery", "worker",
            "--pool", "threads", "--concurrency", str(self.concurrency),
            "--queues", QUEUES, "--loglevel", "INFO",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
            "--hostname", f"reliability-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]  # fmt: skip

    def start(self) -> WorkerProcess:
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for_log(self.ready_pattern, timeout_seconds=30)
        return self

    def has_exited(self) -> bool:
        return self._process is not None and self._process.poll() is not None

    def kill(self) -> None:
        """SIGKILL the worker and its threads: no clean-up, no acknowledgements, no hand-back of its messages."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def _signal(self, sig: int) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, sig)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def count_in_log(self, pattern: str) -> int:
        return len(re.findall(pattern, self.log()[self._log_offset :]))

    def wait_for_log(self, pattern: str, *, count: int = 1, timeout_seconds: float = 20.0) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.count_in_log(pattern) >= count:
                return
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"worker exited with {self._process.returncode}:\n{self.log()[-4000:]}")
            time.sleep(0.05)
        raise TimeoutError(f"{pattern!r} seen {self.count_in_log(pattern)} times, not {count}:\n{self.log()[-4000:]}")


class BeatProcess(WorkerProcess):
    """`celery -A run_celery beat`: sends the periodic tasks (the delivery safety nets) on the configured schedule."""

    ready_pattern = r"beat: Starting"

    def command(self) -> list[str]:
        schedule = self.log_path.with_suffix(".schedule")
        return [str(CELERY), "-A", "run_celery", "beat", "--schedule", str(schedule), "--loglevel", "INFO"]


StartWorker = Callable[..., WorkerProcess]
