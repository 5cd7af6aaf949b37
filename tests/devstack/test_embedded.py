"""Embedded servers: configured ones are used as they are; an embedded Redis answers until it is stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from devstack.embedded import EmbeddedServices, ensure_services


def test_configured_servers_are_used_and_nothing_is_started(tmp_path: Path) -> None:
    environ = {"DATABASE_URL": "postgresql://herald@db.internal/herald", "REDIS_URL": "redis://cache.internal:6379/0"}

    services = ensure_services(postgres_dir=tmp_path / "postgres", redis_dir=tmp_path / "redis", environ=environ)

    assert (services.database_url, services.redis_url) == (environ["DATABASE_URL"], environ["REDIS_URL"])
    assert (services.is_postgres_embedded, services.is_redis_embedded, services.pids()) == (False, False, {})
    assert not (tmp_path / "postgres").exists()
    assert not (tmp_path / "redis").exists()


def test_an_embedded_redis_answers_at_its_url_until_it_is_stopped(tmp_path: Path) -> None:
    services = EmbeddedServices()
    url = services.start_redis(tmp_path / "redis")
    pid = services.pids()["redis"]
    client = redis.Redis.from_url(url)
    try:
        answered = client.ping()
        server_pid = int(client.info("server")["process_id"])
    finally:
        services.stop()
    client.connection_pool.disconnect()

    assert (answered, server_pid) == (True, pid)
    assert services.pids() == {}
    with pytest.raises(redis.ConnectionError):
        client.ping()
