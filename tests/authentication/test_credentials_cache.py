"""The in-process credentials cache: reuse within the TTL, reload after it."""

from __future__ import annotations

import uuid

from app.authentication.credentials_cache import CredentialsCache, ServiceCredentials


def test_cache_loads_once_within_ttl_and_again_after_it() -> None:
    now = [0.0]
    loads: list[uuid.UUID] = []
    service_id = uuid.uuid4()

    def load(requested: uuid.UUID) -> ServiceCredentials:
        loads.append(requested)
        return ServiceCredentials(service=None, api_keys=())  # type: ignore[arg-type]

    cache = CredentialsCache(ttl_seconds=10, clock=lambda: now[0])
    cache.get(service_id, load)
    now[0] = 9.9
    cache.get(service_id, load)
    now[0] = 10.0
    cache.get(service_id, load)

    assert loads == [service_id, service_id]
