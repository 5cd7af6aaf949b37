"""What the simulator accepted (for end-to-end tests to inspect) and its counters, kept in memory."""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class AcceptedMessage:
    """One message a provider endpoint accepted. Content is kept because this is a test tool; it is never logged."""

    provider: str
    reference: str  # what the provider answered (MMG Reference, SES MessageId) or was given (Firetext reference)
    client_reference: str | None  # what the sender sent to identify it (MMG cid, Firetext reference)
    to: list[str]
    sender: str | None
    subject: str | None
    content: str | None
    outcome: str  # what the receipts will say: delivered, temporary-failure or permanent-failure
    received_at: str  # ISO 8601, UTC

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class MessageLog:
    """The newest ``capacity`` accepted messages, findable by either reference; thread-safe."""

    def __init__(self, capacity: int) -> None:
        self._lock = threading.Lock()
        self._messages: deque[AcceptedMessage] = deque()
        self._by_reference: dict[str, list[AcceptedMessage]] = {}
        self._capacity = capacity

    def add(self, message: AcceptedMessage) -> None:
        with self._lock:
            if len(self._messages) >= self._capacity:
                self._forget(self._messages.popleft())
            self._messages.append(message)
            for reference in _references(message):
                self._by_reference.setdefault(reference, []).append(message)

    def find(
        self, *, provider: str | None = None, reference: str | None = None, to: str | None = None
    ) -> list[AcceptedMessage]:
        """Accepted messages, oldest first, matching every filter given (``reference`` matches either one)."""
        with self._lock:
            candidates = list(self._by_reference.get(reference, ()) if reference is not None else self._messages)
        return [
            message
            for message in candidates
            if (provider is None or message.provider == provider) and (to is None or to in message.to)
        ]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._by_reference.clear()

    def _forget(self, message: AcceptedMessage) -> None:
        for reference in _references(message):
            remaining = [kept for kept in self._by_reference.get(reference, ()) if kept is not message]
            if remaining:
                self._by_reference[reference] = remaining
            else:
                self._by_reference.pop(reference, None)


def _references(message: AcceptedMessage) -> Iterable[str]:
    return {reference for reference in (message.reference, message.client_reference) if reference}


class Statistics:
    """Counters by provider: requests by how they were answered, accepted messages by outcome, receipts by fate."""

    GROUPS = ("requests", "outcomes", "receipts")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, str, str]] = Counter()

    def count(self, provider: str, group: str, name: str, amount: int = 1) -> None:
        with self._lock:
            self._counts[(provider, group, name)] += amount

    def as_dict(self, providers: Iterable[str]) -> dict[str, dict[str, dict[str, int]]]:
        """``{provider: {"requests": {...}, "outcomes": {...}, "receipts": {...}}}`` (receipts.pending is in flight)."""
        with self._lock:
            counts = dict(self._counts)
        document: dict[str, dict[str, dict[str, int]]] = {
            provider: {group: {} for group in self.GROUPS} for provider in providers
        }
        for (provider, group, name), value in sorted(counts.items()):
            document.setdefault(provider, {group: {} for group in self.GROUPS})[group][name] = value
        return document

    def reset(self) -> None:
        """Zero every counter except receipts still pending, which are still in flight."""
        with self._lock:
            self._counts = Counter(
                {key: value for key, value in self._counts.items() if key[1:] == ("receipts", "pending") and value}
            )
