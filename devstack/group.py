"""Herald's processes as one group: start them, wait until they are ready, keep them running, stop them together."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from devstack.child import ChildProcess
from devstack.processes import ProcessSpec

logger = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 15.0
RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 60.0


class RestartBudget:
    """A child that dies is started again (a worker can exit when its broker connection drops), but one that dies
    more than RESTART_LIMIT times within RESTART_WINDOW_SECONDS is broken: then the group stops rather than loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._restarts: list[float] = []

    def may_restart(self) -> bool:
        """Spend one restart if the window has one left; False once it has none."""
        now = self._clock()
        self._restarts = [moment for moment in self._restarts if now - moment < RESTART_WINDOW_SECONDS]
        if len(self._restarts) >= RESTART_LIMIT:
            return False
        self._restarts.append(now)
        return True


class ProcessGroup:
    """Child processes by name, sharing one environment; with ``log_dir`` each writes `<name>.log` there, without it
    they write to this terminal."""

    def __init__(self, environment: Mapping[str, str], *, log_dir: Path | None = None) -> None:
        self.environment = dict(environment)
        self.log_dir = log_dir
        self.children: dict[str, ChildProcess] = {}

    def start(self, *specs: ProcessSpec, is_waiting: bool = True, timeout_seconds: float = 30.0) -> None:
        """Start every spec, then (unless ``is_waiting`` is False) wait until each is ready: RuntimeError if one
        exits first, TimeoutError if one is not ready in time."""
        for spec in specs:
            log_path = None if self.log_dir is None else self.log_dir / f"{spec.name}.log"
            self.children[spec.name] = ChildProcess(spec, self.environment, log_path).start()
        if is_waiting:
            self.wait_until_ready([spec.name for spec in specs], timeout_seconds=timeout_seconds)

    def wait_until_ready(self, names: Iterable[str], timeout_seconds: float = 30.0) -> None:
        """Wait until each named child is ready, all within ``timeout_seconds``: RuntimeError as soon as one of them
        exits, TimeoutError if one is late (each with the tail of its log)."""
        deadline = time.monotonic() + timeout_seconds
        for name in names:
            self.children[name].wait_until_ready(timeout_seconds=deadline - time.monotonic())

    def __getitem__(self, name: str) -> ChildProcess:
        return self.children[name]

    def pids(self) -> dict[str, int]:
        """The pid of each running child (gunicorn's master, Celery's main process), by name."""
        return {name: child.pid for name, child in self.children.items() if not child.has_exited()}

    def logs(self) -> str:
        """Every child's log file, one after another under its name."""
        return "\n".join(f"--- {name}.log\n{child.log()}" for name, child in sorted(self.children.items()))

    def supervise(self, is_stopping: Callable[[], bool], poll_seconds: float = 0.5) -> None:
        """Until ``is_stopping()``, start again any child that exits; return early (logging why) once one has used
        up its `RestartBudget`."""
        budgets = {name: RestartBudget() for name in self.children}
        while not is_stopping():
            for name, child in self.children.items():
                if not child.has_exited() or is_stopping():
                    continue
                if not budgets[name].may_restart():
                    logger.error("%s exited with status %s; stopping Herald", name, child.returncode)
                    return
                logger.warning("%s exited with status %s; starting it again", name, child.returncode)
                child.start()
            time.sleep(poll_seconds)

    def stop(self, *names: str, timeout_seconds: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM the named children (every child when none is named) at once, then SIGKILL those still running
        after ``timeout_seconds``. Their logs stay readable; starting a spec of the same name replaces the child."""
        children = [self.children[name] for name in (names or list(self.children)) if name in self.children]
        for child in children:
            child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_seconds
        for child in children:
            if not child.wait(deadline - time.monotonic()):
                child.kill()
