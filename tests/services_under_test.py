"""The PostgreSQL server and Redis one pytest process uses: the configured ones, or embedded ones."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class ServicesUnderTest:
    """The servers one pytest process uses; started lazily the first time a test needs them."""

    def __init__(self) -> None:
        self._embedded: Any = None
        self.server_url: str | None = None
        self.redis_url: str | None = None
        self.redis_is_embedded = False

    def start(self) -> None:
        if self.server_url:
            return
        from app.embedded_services import EmbeddedServices, start_embedded_postgres, start_embedded_redis

        embedded = EmbeddedServices()
        self.server_url = os.environ.get("DATABASE_URL")
        if not self.server_url:
            embedded._postgres, self.server_url = start_embedded_postgres(ROOT / ".data" / "test-postgres")
        self.redis_url = os.environ.get("REDIS_URL")
        self.redis_is_embedded = not self.redis_url
        if not self.redis_url:
            run_dir = ROOT / ".data" / "test-redis" / f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
            embedded._redis, self.redis_url = start_embedded_redis(run_dir)
        self._embedded = embedded

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()


def database_url_named(server_url: str, database: str) -> str:
    """Swap the database name of a libpq URL (`postgresql://u@h/db?host=...`)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def redis_url_for_worker(redis_url: str, worker_id: str, *, embedded: bool) -> str:
    """A configured Redis server is shared by every pytest-xdist worker, and each worker flushes its database
    between tests: give each worker a database number of its own (1, 2, …; 0 is left to `make run`)."""
    if embedded or not redis_url.startswith(("redis://", "rediss://")):
        return redis_url
    from urllib.parse import urlsplit, urlunsplit

    number = int(worker_id[2:]) + 1 if worker_id.startswith("gw") else 1
    return urlunsplit(urlsplit(redis_url)._replace(path=f"/{number % 16}"))
