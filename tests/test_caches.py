"""The in-process cache used on the send path: values trusted for a fixed time."""

from __future__ import annotations

import pytest
from flask import Flask

from app import caches
from app.caches import TtlCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_loaded_once_within_its_time() -> None:
    loads: list[str] = []
    cache = TtlCache[str](5, clock=FakeClock())

    values = [cache.get("key", lambda: loads.append("loaded") or "value") for _ in range(3)]

    assert (values, loads) == (["value"] * 3, ["loaded"])


def test_a_value_is_loaded_again_once_its_time_is_up() -> None:
    clock = FakeClock()
    cache = TtlCache[int](5, clock=clock)
    cache.get("key", lambda: 1)
    clock.now += 5

    assert cache.get("key", lambda: 2) == 2


def test_a_cache_of_zero_seconds_remembers_nothing() -> None:
    cache = TtlCache[int](0, clock=FakeClock())
    cache.get("key", lambda: 1)

    assert cache.get("key", lambda: 2) == 2


def test_a_forgotten_value_is_loaded_again() -> None:
    cache = TtlCache[int](5, clock=FakeClock())
    cache.get("key", lambda: 1)

    cache.forget("key")

    assert cache.get("key", lambda: 2) == 2


def test_a_full_cache_starts_again_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caches, "MAX_ENTRIES", 2)
    cache = TtlCache[int](5, clock=FakeClock())
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)

    cache.get("c", lambda: 3)

    assert cache.get("a", lambda: 10) == 10


def test_clearing_the_app_caches_empties_each_of_them() -> None:
    cache = TtlCache[str](60)
    cache.get("key", lambda: "first")
    extensions: dict[str, object] = {"a cache": cache, "something else": object()}

    caches.clear_app_caches(extensions)

    assert cache.get("key", lambda: "second") == "second"


def test_an_app_object_is_built_once_and_then_shared(notify_api: Flask) -> None:
    name = caches.AppObjectName[list[int]]("herald_test_app_object")
    builds: list[int] = []

    def build() -> list[int]:
        builds.append(1)
        return [len(builds)]

    with notify_api.app_context():
        first = caches.app_object(name, build)
        second = caches.app_object(name, build)
        notify_api.extensions.pop(name.name)

    assert (first is second, builds) == (True, [1])
