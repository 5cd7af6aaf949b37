"""Where a phase's CPU went: CPU seconds of each benchmark process (with its children), from the kernel's accounting.

On a 2-core machine the API, the worker, PostgreSQL, Redis, the simulator and the load generator all share the same
cores, so "how many per second" is bounded by "how many milliseconds of CPU each one costs, summed over every
process". A process's figure includes its live descendants and the children it has already reaped (PostgreSQL's
postmaster reaps its backends, gunicorn's master its workers), so a process that exits mid-phase still counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import psutil


def process_tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid``, its live descendants and the children it (or they) reaped; 0.0 once gone."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue  # exited between listing and reading; its parent's children_* will hold it next time
        total += times.user + times.system + times.children_user + times.children_system
    return total


@dataclass(frozen=True)
class CpuReading:
    seconds_by_process: dict[str, float]
    wall_seconds: float

    def per_item_ms(self, items: int) -> dict[str, float]:
        return {name: 1000 * seconds / items for name, seconds in self.seconds_by_process.items()} if items else {}

    @property
    def cores_busy(self) -> float:
        return sum(self.seconds_by_process.values()) / self.wall_seconds if self.wall_seconds else 0.0


class CpuMeter:
    """``start()`` then ``stop()`` around a phase; ``pids`` is asked for each process's pid at both ends."""

    def __init__(self, pids: Callable[[], Mapping[str, int]], clock: Callable[[], float]) -> None:
        self._pids = pids
        self._clock = clock
        self._started: dict[str, float] = {}
        self._started_at = 0.0

    def start(self) -> None:
        self._started = {name: process_tree_cpu_seconds(pid) for name, pid in self._pids().items()}
        self._started_at = self._clock()

    def stop(self, extra_seconds: Mapping[str, float] | None = None) -> CpuReading:
        """The CPU each process used since ``start()``; ``extra_seconds`` adds processes measured some other way
        (the load generator reports its own)."""
        used = {
            name: max(0.0, process_tree_cpu_seconds(pid) - self._started.get(name, 0.0))
            for name, pid in self._pids().items()
        }
        used.update(extra_seconds or {})
        return CpuReading(seconds_by_process=used, wall_seconds=self._clock() - self._started_at)
