"""The process group: readiness, restarts within a budget, and a stop that always ends every child."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from devstack.group import RESTART_LIMIT, RESTART_WINDOW_SECONDS, ProcessGroup, RestartBudget
from devstack.processes import ProcessSpec


def python(name: str, code: str, *, ready_log_pattern: str | None = None) -> ProcessSpec:
    return ProcessSpec(name=name, command=[sys.executable, "-c", code], ready_log_pattern=ready_log_pattern)


SLEEPER = "import time\nprint('ready.', flush=True)\ntime.sleep(60)"
# Ignores SIGTERM, as a child stuck in a long call would: only SIGKILL ends it.
STUBBORN = (
    "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready.', flush=True)\ntime.sleep(60)"
)


def test_a_restart_budget_allows_five_restarts_a_minute_and_refuses_the_sixth() -> None:
    now = [0.0]
    budget = RestartBudget(clock=lambda: now[0])

    allowed = [budget.may_restart() for _ in range(RESTART_LIMIT)]
    sixth = budget.may_restart()
    now[0] += RESTART_WINDOW_SECONDS
    after_a_minute = budget.may_restart()

    assert (allowed, sixth, after_a_minute) == ([True] * RESTART_LIMIT, False, True)


def test_start_waits_for_the_ready_line_in_the_childs_log(tmp_path: Path) -> None:
    group = ProcessGroup({}, log_dir=tmp_path)
    try:
        group.start(python("sleeper", SLEEPER, ready_log_pattern=r"ready\."), timeout_seconds=20)

        assert group["sleeper"].count_in_log(r"ready\.") == 1
        assert not group["sleeper"].has_exited()
    finally:
        group.stop()


def test_a_child_that_exits_before_it_is_ready_fails_the_start_with_its_log(tmp_path: Path) -> None:
    group = ProcessGroup({}, log_dir=tmp_path)
    crashing = python("crashing", "import sys\nprint('no database', flush=True)\nsys.exit(3)", ready_log_pattern="x")

    with pytest.raises(RuntimeError, match=r"crashing exited with status 3:\nno database"):
        group.start(crashing, timeout_seconds=20)


def test_stop_kills_a_child_that_ignores_sigterm_and_keeps_the_logs(tmp_path: Path) -> None:
    group = ProcessGroup({}, log_dir=tmp_path)
    group.start(
        python("stubborn", STUBBORN, ready_log_pattern=r"ready\."), python("sleeper", SLEEPER), timeout_seconds=20
    )
    stubborn, sleeper = group["stubborn"], group["sleeper"]
    started = time.monotonic()

    group.stop(timeout_seconds=1)

    assert (stubborn.returncode, sleeper.returncode) == (-9, -15)
    assert time.monotonic() - started < 10
    assert group.pids() == {}
    assert group.logs().count("ready.") == 2


def test_supervise_starts_a_dead_child_again_and_gives_up_after_its_budget(tmp_path: Path) -> None:
    group = ProcessGroup({}, log_dir=tmp_path)
    group.start(python("flaky", "print('started', flush=True)"), is_waiting=False)
    started = time.monotonic()

    group.supervise(lambda: time.monotonic() - started > 30, poll_seconds=0.05)

    assert group["flaky"].log().count("started") == RESTART_LIMIT + 1
    assert time.monotonic() - started < 30


def test_supervise_returns_when_asked_to_stop_and_leaves_running_children_alone(tmp_path: Path) -> None:
    group = ProcessGroup({}, log_dir=tmp_path)
    group.start(python("sleeper", SLEEPER), is_waiting=False)
    try:
        group.supervise(lambda: True)

        assert not group["sleeper"].has_exited()
    finally:
        group.stop()
