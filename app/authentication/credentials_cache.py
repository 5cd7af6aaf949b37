"""A short in-process cache of each service's snapshot and API keys, so the hot path rarely hits the database."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from app.serialised_models import SerialisedApiKey, SerialisedService


@dataclass(frozen=True)
class ServiceCredentials:
    service: SerialisedService
    api_keys: tuple[SerialisedApiKey, ...]


class CredentialsCache:
    """Remembers ServiceCredentials for ``ttl_seconds``; a revoked key stops working within that time."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: dict[uuid.UUID, tuple[float, ServiceCredentials]] = {}
        self._lock = threading.Lock()

    def get(self, service_id: uuid.UUID, load: Callable[[uuid.UUID], ServiceCredentials]) -> ServiceCredentials:
        now = self._clock()
        entry = self._entries.get(service_id)
        if entry is not None and now - entry[0] < self._ttl_seconds:
            return entry[1]
        credentials = load(service_id)
        with self._lock:
            self._entries[service_id] = (now, credentials)
        return credentials

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
