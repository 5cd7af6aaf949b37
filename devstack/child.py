"""One child process of a group: started in a session of its own, its output in a log file (or the terminal), its
readiness awaited, signalled as a whole (its own process group)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from devstack import ROOT
from devstack.network import is_answering
from devstack.processes import ProcessSpec


class ChildProcess:
    """A process started from a `ProcessSpec` with ``environment`` plus the spec's own settings. Its own session (and
    process group), so a terminal's Ctrl-C reaches only the launcher, and a signal reaches all of its processes."""

    def __init__(self, spec: ProcessSpec, environment: Mapping[str, str], log_path: Path | None) -> None:
        self.spec = spec
        self.environment = {**environment, **spec.environment}
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def start(self) -> ChildProcess:
        """Start the process (again, if it ran before); its log is read from here on."""
        if self.log_path is None:
            self._process = subprocess.Popen(self.spec.command, cwd=ROOT, env=self.environment, start_new_session=True)
            return self
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(
                self.spec.command,
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def has_exited(self) -> bool:
        return self.returncode is not None

    def is_ready(self) -> bool:
        """True once the spec's URL answers or its log shows the ready pattern (at once if it names neither)."""
        if self.spec.ready_url is not None and not is_answering(self.spec.ready_url):
            return False
        return self.spec.ready_log_pattern is None or self.count_in_log(self.spec.ready_log_pattern) > 0

    def send_signal(self, sig: int) -> None:
        """Send ``sig`` to every process in the child's process group (gunicorn's workers, Celery's pool)."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, sig)

    def wait(self, timeout_seconds: float) -> bool:
        """Wait for the child to exit; True if it did within ``timeout_seconds``."""
        if self._process is None:
            return True
        try:
            self._process.wait(timeout=max(0.0, timeout_seconds))
        except subprocess.TimeoutExpired:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL the child's process group: no clean-up, no acknowledgements, no hand-back of its messages."""
        if self._process is None or self._process.poll() is not None:
            return
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()

    def log(self) -> str:
        """The whole log file ("" when the child writes to the terminal)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")

    def count_in_log(self, pattern: str) -> int:
        """How often ``pattern`` occurs in what the child logged since it was (last) started."""
        if self.log_path is None:
            raise ValueError(f"{self.name} logs to the terminal: there is no log to read")
        return len(re.findall(pattern, self.log()[self._log_offset :]))

    def wait_for_log(self, pattern: str, *, count: int = 1, timeout_seconds: float = 20.0) -> None:
        """Wait until ``pattern`` occurs ``count`` times; RuntimeError if the child exits first, else TimeoutError."""
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self.count_in_log(pattern) >= count:
                return
            self._raise_if_exited()
            time.sleep(0.05)
        raise TimeoutError(f"{pattern!r} seen {self.count_in_log(pattern)} times, not {count}:\n{self.log()[-4000:]}")

    def wait_until_ready(self, timeout_seconds: float = 30.0) -> None:
        """Wait for `is_ready`; RuntimeError (with the log's tail) if the child exits first, TimeoutError if late."""
        deadline = time.monotonic() + timeout_seconds
        while not self.is_ready():
            self._raise_if_exited()
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self.name} was not ready within {timeout_seconds:.0f} s:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def _raise_if_exited(self) -> None:
        if self.has_exited():
            raise RuntimeError(f"{self.name} exited with status {self.returncode}:\n{self.log()[-4000:]}")
