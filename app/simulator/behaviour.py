"""Failure modes the simulator plays (error rate, latency, a slow answer after accepting, outage, no receipts, receipt
delay), global or per provider, changeable at run time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

PROVIDERS = ("mmg", "firetext", "ses", "dvla")
GLOBAL = "global"
MAX_DELAY_MS = 600_000  # ten minutes: longer holds a server thread for nothing


class BehaviourError(ValueError):
    """A behaviour setting that is unknown or out of range; the message says which and why."""


@dataclass(frozen=True)
class Behaviour:
    error_rate: float = 0.0  # fraction of requests answered 500
    latency_ms: int = 0  # added before answering
    # Accept the message and plan its receipts, then wait this long before answering: a provider slower than its
    # client's timeout that takes the message all the same (the client sees a read timeout).
    answer_delay_ms: int = 0
    outage: bool = False  # answer 503 to everything
    no_receipt: bool = False  # accept, but never send a receipt
    receipt_delay_ms: tuple[int, int] = (100, 1000)  # each receipt waits a uniform time in this range

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["receipt_delay_ms"] = list(self.receipt_delay_ms)
        return document


def _error_rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise BehaviourError("error_rate must be a number from 0 to 1")
    return float(value)


def _milliseconds(name: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_DELAY_MS:
            raise BehaviourError(f"{name} must be a number of milliseconds, 0 to {MAX_DELAY_MS}")
        return round(value)

    return check


def _flag(name: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise BehaviourError(f"{name} must be true or false")
        return value

    return check


def _receipt_delay_ms(value: Any) -> tuple[int, int]:
    is_pair = isinstance(value, list | tuple) and len(value) == 2
    if not is_pair or any(isinstance(bound, bool) or not isinstance(bound, int | float) for bound in value):
        raise BehaviourError("receipt_delay_ms must be [min, max] in milliseconds")
    low, high = round(value[0]), round(value[1])
    if not 0 <= low <= high:
        raise BehaviourError("receipt_delay_ms must be [min, max] with 0 <= min <= max")
    return low, high


CHECKS: dict[str, Callable[[Any], Any]] = {
    "error_rate": _error_rate,
    "latency_ms": _milliseconds("latency_ms"),
    "answer_delay_ms": _milliseconds("answer_delay_ms"),
    "outage": _flag("outage"),
    "no_receipt": _flag("no_receipt"),
    "receipt_delay_ms": _receipt_delay_ms,
}


def checked_settings(settings: Any, *, can_clear: bool) -> dict[str, Any]:
    """``settings`` (a JSON object of behaviour fields) checked and normalised; ``None`` values only if
    ``can_clear`` (a provider dropping its override). Raises BehaviourError."""
    if not isinstance(settings, Mapping):
        raise BehaviourError("each section must be an object of settings")
    unknown = sorted(set(settings) - set(CHECKS))
    if unknown:
        raise BehaviourError(f"unknown settings: {', '.join(unknown)}")
    checked: dict[str, Any] = {}
    for name, value in settings.items():
        if value is None and not can_clear:
            raise BehaviourError(f"{name} cannot be null here")
        checked[name] = None if value is None else CHECKS[name](value)
    return checked


class BehaviourBoard:
    """The global behaviour and each provider's overrides of it, starting from defaults changed by ``startup``
    (a document as ``update`` takes). Reads are lock-free (the hot path); a change is checked in full before any
    of it is applied, so a bad document changes nothing."""

    def __init__(self, startup: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._startup = _checked_document(startup or {})
        self._global = Behaviour()
        self._overrides: dict[str, dict[str, Any]] = {}
        self._effective: dict[str, Behaviour] = {}
        self.reset()

    def for_provider(self, provider: str) -> Behaviour:
        return self._effective[provider]

    def update(self, document: Any) -> None:
        """Apply ``{"global": {...}, "<provider>": {...} | null, "<setting>": value}``: bare settings are global,
        a provider's settings override the global ones, and a null (section or setting) drops the override.
        Raises BehaviourError."""
        global_changes, provider_changes = _checked_document(document)
        with self._lock:
            self._apply(global_changes, provider_changes)

    def reset(self) -> None:
        """Back to the behaviour the simulator started with."""
        with self._lock:
            self._global = Behaviour()
            self._overrides = {provider: {} for provider in PROVIDERS}
            self._apply(*self._startup)

    def as_dict(self) -> dict[str, Any]:
        """The global behaviour and each provider's effective behaviour; posting it back changes nothing."""
        effective = self._effective
        return {GLOBAL: self._global.as_dict(), **{provider: effective[provider].as_dict() for provider in PROVIDERS}}

    def _apply(
        self, global_changes: Mapping[str, Any], provider_changes: Mapping[str, Mapping[str, Any] | None]
    ) -> None:
        self._global = replace(self._global, **global_changes)
        for provider, changes in provider_changes.items():
            overrides = self._overrides[provider]
            if changes is None:
                overrides.clear()
                continue
            for name, value in changes.items():
                if value is None:
                    overrides.pop(name, None)
                else:
                    overrides[name] = value
        # One new dict swapped in whole, so a reader never sees a half-applied change.
        self._effective = {provider: replace(self._global, **self._overrides[provider]) for provider in PROVIDERS}


def _checked_document(document: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any] | None]]:
    if not isinstance(document, Mapping):
        raise BehaviourError("the configuration must be a JSON object")
    unknown = sorted(set(document) - set(CHECKS) - {GLOBAL, *PROVIDERS})
    if unknown:
        raise BehaviourError(f"unknown settings: {', '.join(unknown)}")
    global_changes = checked_settings({name: document[name] for name in CHECKS if name in document}, can_clear=False)
    global_changes |= checked_settings(document.get(GLOBAL, {}), can_clear=False)
    provider_changes = {
        provider: None if document[provider] is None else checked_settings(document[provider], can_clear=True)
        for provider in PROVIDERS
        if provider in document
    }
    return global_changes, provider_changes
