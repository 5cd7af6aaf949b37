"""The development launcher: embedded PostgreSQL and Redis, and Herald's processes (API, Celery workers, beat, the
provider simulator) started, watched and stopped as one group, for `make run`, `make bench` and the whole-stack
tests. Nothing in `app/` imports it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository: every child process runs here, so `application:app` and `run_celery` import."""
