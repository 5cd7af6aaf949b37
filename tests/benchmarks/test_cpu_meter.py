"""The benchmark's CPU accounting: a process's CPU includes its children, running or already reaped."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from benchmarks.cpu_meter import CpuMeter, process_tree_cpu_seconds

BURN_SECONDS = 0.3
BURN = f"import time\nend = time.process_time() + {BURN_SECONDS}\nwhile time.process_time() < end: pass\n"
IDLE = "import time\ntime.sleep(60)\n"


def _python(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)


def _parent_running(child_script: str, *, wait_for_child: bool) -> str:
    """A parent that starts ``child_script`` in a child, says "started" (or "reaped", having waited), then idles."""
    run = "subprocess.run" if wait_for_child else "subprocess.Popen"
    said = "reaped" if wait_for_child else "started"
    start_child = f"{run}([sys.executable, '-c', {child_script!r}])"
    return f"import subprocess, sys\n{start_child}\nprint({said!r}, flush=True)\n{IDLE}"


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        subprocess.run(["pkill", "-KILL", "-P", str(process.pid)], check=False)
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_a_reaped_child_still_counts_toward_its_parent(processes: list[subprocess.Popen[str]]) -> None:
    parent = _python(_parent_running(BURN, wait_for_child=True))
    processes.append(parent)
    assert parent.stdout is not None
    assert parent.stdout.readline().strip() == "reaped"

    assert process_tree_cpu_seconds(parent.pid) >= BURN_SECONDS * 0.9


def test_a_running_child_counts_toward_its_parent(processes: list[subprocess.Popen[str]]) -> None:
    parent = _python(_parent_running(BURN + IDLE, wait_for_child=False))
    processes.append(parent)
    assert parent.stdout is not None
    assert parent.stdout.readline().strip() == "started"
    deadline = time.monotonic() + 10
    while process_tree_cpu_seconds(parent.pid) < BURN_SECONDS * 0.9 and time.monotonic() < deadline:
        time.sleep(0.05)

    assert process_tree_cpu_seconds(parent.pid) >= BURN_SECONDS * 0.9


def test_a_process_that_is_gone_counts_nothing() -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()

    assert process_tree_cpu_seconds(gone.pid) == 0.0


def test_meter_reports_only_what_was_used_between_start_and_stop(processes: list[subprocess.Popen[str]]) -> None:
    burnt_before = _python(BURN + "print('burnt', flush=True)\n" + IDLE)
    processes.append(burnt_before)
    assert burnt_before.stdout is not None
    assert burnt_before.stdout.readline().strip() == "burnt"
    now = [0.0]
    meter = CpuMeter(lambda: {"burnt-before": burnt_before.pid}, lambda: now[0])

    meter.start()
    now[0] = 2.0
    reading = meter.stop({"elsewhere": 1.0})

    assert reading.seconds_by_process["burnt-before"] < BURN_SECONDS / 3
    assert reading.seconds_by_process["elsewhere"] == 1.0
    assert reading.per_item_ms(4)["elsewhere"] == 250.0
    assert reading.cores_busy == pytest.approx(sum(reading.seconds_by_process.values()) / 2.0)
