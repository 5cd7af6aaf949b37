"""The app's in-process state, each piece under a typed name: caches whose entries are trusted for a fixed number of
seconds (hot-path lookups), and objects built once per app on first use (provider clients, the SNS certificates)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import current_app

Value = TypeVar("Value")

MAX_ENTRIES = 10_000


class TtlCache(Generic[Value]):
    """Remembers values for ``ttl_seconds`` (0 remembers nothing). Safe to share between threads: a race at worst
    loads the same value twice. When it holds MAX_ENTRIES it starts again empty rather than grow without bound."""

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Value]] = {}

    def get(self, key: Hashable, load: Callable[[], Value]) -> Value:
        """The value remembered for ``key``, or ``load()`` (remembered from now on). Exceptions from load propagate."""
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and now - entry[0] < self._ttl_seconds:
            return entry[1]
        value = load()
        if self._ttl_seconds > 0:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries = {}
            self._entries[key] = (now, value)
        return value

    def forget(self, key: Hashable) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries = {}


@dataclass(frozen=True)
class CacheName(Generic[Value]):
    """The name of one of the app's caches, typed by what it holds, so each accessor returns its own type."""

    name: str


def app_cache(cache_name: CacheName[Value], ttl_seconds: float) -> TtlCache[Value]:
    """The current app's cache ``cache_name`` (one per process), made with ``ttl_seconds`` when first asked for."""
    cache: TtlCache[Value] | None = current_app.extensions.get(cache_name.name)
    if cache is None:
        cache = current_app.extensions[cache_name.name] = TtlCache[Value](ttl_seconds)
    return cache


def clear_app_caches(extensions: Mapping[str, object]) -> None:
    """Empty every TtlCache of an app (its ``extensions``); the tests start each case with nothing remembered."""
    for value in extensions.values():
        if isinstance(value, TtlCache):
            value.clear()


@dataclass(frozen=True)
class AppObjectName(Generic[Value]):
    """The name of an object the app builds once, on first use, typed by what it is."""

    name: str


_building = threading.Lock()


def app_object(object_name: AppObjectName[Value], build: Callable[[], Value]) -> Value:
    """The current app's ``object_name``, built by ``build()`` the first time any thread asks for it."""
    extensions = current_app.extensions
    value: Value | None = extensions.get(object_name.name)
    if value is None:
        with _building:
            value = extensions.get(object_name.name)
            if value is None:
                value = extensions[object_name.name] = build()
    return value
