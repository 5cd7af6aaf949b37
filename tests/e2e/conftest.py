"""Fixtures for whole-stack tests: a live Herald API under gunicorn on the test session's database and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from app.local_processes import free_port
from tests.e2e.stack import BIN, ROOT

STARTUP_TIMEOUT_SECONDS = 30.0


def wait_until_answering(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Wait for ``url`` to answer at all; fail with gunicorn's log if the process dies or never answers."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail(
        f"gunicorn did not answer {url} in {STARTUP_TIMEOUT_SECONDS} s:\n{log_path.read_text(errors='replace')}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="session")
def live_herald_url(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of Herald's API served by gunicorn (`-c gunicorn_config.py application:app`), sharing the
    session's database and Redis, so data made with the factories is what the live API sees."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "NOTIFY_ENVIRONMENT": "test",
        "DATABASE_URL": notify_api.config["DATABASE_URL"],
        "REDIS_URL": notify_api.config["REDIS_URL"],
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "API_HOST_NAME": url,
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("live-herald") / "gunicorn.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn_config.py", "application:app"],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_answering(f"{url}/_status", process, log_path)
        yield url
    finally:
        stop(process)
