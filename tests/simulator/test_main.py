"""`python -m app.simulator`: starts from its environment, answers, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from devstack.network import free_port

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_health(url: str, process: subprocess.Popen[bytes], timeout_seconds: float = 30.0) -> requests.Response:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return requests.get(f"{url}/_simulator/health", timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise TimeoutError("the simulator did not answer")


def test_module_runs_from_its_environment_and_stops_on_sigterm() -> None:
    port = free_port()
    environment = {**os.environ, "SIMULATOR_PORT": str(port), "SIMULATOR_HERALD_URL": "http://127.0.0.1:9"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app.simulator"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}", process)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert (health.status_code, process.returncode) == (200, 0)
    assert b"Simulator stopping" in output
