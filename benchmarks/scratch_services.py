"""PostgreSQL and Redis for an in-process benchmark: the servers DATABASE_URL / REDIS_URL name, else embedded ones
under `.data/<directory>`; a scratch database of the benchmark's own, dropped and created afresh each run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def start_scratch_services(*, database: str, directory: str) -> Any:
    """Start (or find) the servers, create ``database`` afresh and point DATABASE_URL / REDIS_URL at them; returns
    the services (``.stop()`` them when done, ``.pids()`` for the servers started here)."""
    import psycopg

    from devstack.embedded import ensure_services

    data_dir = ROOT / ".data" / directory
    services = ensure_services(postgres_dir=data_dir / "postgres", redis_dir=data_dir / "redis", environ=os.environ)
    assert services.database_url is not None
    assert services.redis_url is not None
    with psycopg.connect(services.database_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(services.database_url)._replace(path=f"/{database}"))
    os.environ["REDIS_URL"] = services.redis_url
    return services
