"""Check that a function's cost grows linearly with its input, without depending on how fast the machine is.

The function is timed (CPU time of this process, the best of a few runs, so other processes on a loaded machine
count for little) on an input of size n, and on one eight times larger. A linear function takes about 8 times as
long; a quadratic one 64 times. The bound allows a generous margin for noise, caches and the garbage collector.
n is first raised until one run takes long enough for the timer to measure it well.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

GROWTH = 8
MAX_RATIO = 24.0  # linear is about 8, n log n about 9, quadratic about 64
MIN_SECONDS = 0.01
RUNS = 3


def _best_time(function: Callable[[Any], object], argument: Any) -> float:
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(RUNS):
            start = time.process_time()
            function(argument)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def growth_ratio(function: Callable[[Any], object], make_input: Callable[[int], Any], n: int = 1000) -> float:
    """How many times longer `function(make_input(8n))` takes than `function(make_input(n))`."""
    small = _best_time(function, make_input(n))
    while small < MIN_SECONDS and n < 10_000_000:
        n *= 4 if small < MIN_SECONDS / 8 else 2
        small = _best_time(function, make_input(n))
    large = _best_time(function, make_input(n * GROWTH))
    return large / max(small, 1e-9)


def assert_linear(function: Callable[[Any], object], make_input: Callable[[int], Any], n: int = 1000) -> None:
    ratio = growth_ratio(function, make_input, n)
    for _ in range(2):  # measure again before failing: one unlucky pause should not fail the suite
        if ratio < MAX_RATIO:
            break
        ratio = min(ratio, growth_ratio(function, make_input, n))
    assert ratio < MAX_RATIO, f"{GROWTH}x the input took {ratio:.1f}x the time"
