"""The PostgreSQL server and Redis one pytest process uses: the configured ones, or embedded ones."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from devstack.embedded import EmbeddedServices, ensure_services

ROOT = Path(__file__).resolve().parent.parent


class ServicesUnderTest:
    """The servers one pytest process uses; started lazily the first time a test needs them."""

    def __init__(self) -> None:
        self._services: EmbeddedServices | None = None
        self.server_url: str | None = None
        self.redis_url: str | None = None
        self.redis_is_embedded = False

    def start(self) -> None:
        if self.server_url:
            return
        # Each pytest process has a Redis of its own; every process shares the one PostgreSQL server.
        redis_dir = ROOT / ".data" / "test-redis" / f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
        services = ensure_services(
            postgres_dir=ROOT / ".data" / "test-postgres", redis_dir=redis_dir, environ=os.environ
        )
        self.server_url, self.redis_url = services.database_url, services.redis_url
        self.redis_is_embedded = services.is_redis_embedded
        self._services = services

    def stop(self) -> None:
        if self._services is not None:
            self._services.stop()


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
