"""Group commit for task messages: concurrent callers share one broker publish, and each still learns its outcome.

A caller hands over one item (a notification id) for a task and queue and waits until the message carrying it is on
the broker, or gets the exception that publish raised: `submit` returning means "queued", as a lone `send_task` did.
The first caller to find no publish in flight becomes the leader and publishes at once whatever is waiting, itself
included (no timer: under light load every message carries one item and nothing waits). Callers arriving while a
publish is in flight wait; when it ends, one of them leads the next publish, for all of them together. The leader
sends one message per (task, queue) pair in its group, with at most ``max_items_per_message`` items each.

A caller waits at most ``wait_timeout_seconds`` for a leader to take its item, then raises GroupPublishTimeoutError
and its item is never sent. Once a leader has taken the item, the caller waits for that publish's own outcome, so an
item is never reported failed while its message may still arrive (the broker client's timeouts bound that wait).

One publisher per process: gunicorn forks its workers, and a child must not share its parent's lock or waiters, so
`publisher_for` makes a fresh one for each process id.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

MAX_ITEMS_PER_MESSAGE = 50
WAIT_TIMEOUT_SECONDS = 5.0

# Publishes one message: (task name, queue name, the items it carries). Raises what the broker raised.
PublishMessage = Callable[[str, str, list[Any]], None]


class GroupPublishTimeoutError(TimeoutError):
    """No publish took this item before its deadline; it was not sent."""


class GroupPublishInterruptedError(RuntimeError):
    """The leader that took this item stopped (KeyboardInterrupt, SystemExit) before publishing it; it was not sent."""


@dataclass(eq=False)
class _Entry:
    task_name: str
    queue: str
    item: Any
    is_done: bool = False
    is_sent: bool = False
    error: BaseException | None = field(default=None)


class GroupPublisher:
    """Publishes the items of concurrent callers together: one message per (task, queue) and group (module doc)."""

    def __init__(
        self,
        publish_message: PublishMessage,
        *,
        max_items_per_message: int = MAX_ITEMS_PER_MESSAGE,
        wait_timeout_seconds: float = WAIT_TIMEOUT_SECONDS,
    ) -> None:
        if max_items_per_message < 1:
            raise ValueError("max_items_per_message must be at least 1")
        self._publish_message = publish_message
        self._max_items_per_message = max_items_per_message
        self._wait_timeout_seconds = wait_timeout_seconds
        self._condition = threading.Condition()
        self._waiting: list[_Entry] = []
        self._is_publishing = False

    @property
    def waiting_count(self) -> int:
        """Items handed over and not yet taken by a publish."""
        with self._condition:
            return len(self._waiting)

    def submit(self, task_name: str, queue: str, item: Any) -> None:
        """Return once a message carrying ``item`` for ``task_name`` is on ``queue``; raise what its publish raised,
        or GroupPublishTimeoutError when no publish took it in time."""
        entry = _Entry(task_name, queue, item)
        deadline = time.monotonic() + self._wait_timeout_seconds
        with self._condition:
            self._waiting.append(entry)
            group = self._wait_to_lead_or_finish(entry, deadline)
        if group is not None:
            self._lead(group)
        if entry.error is not None:
            raise entry.error

    def _wait_to_lead_or_finish(self, entry: _Entry, deadline: float) -> list[_Entry] | None:
        """Under the lock: the group to publish when this caller leads, else None once its entry is done."""
        while not entry.is_done:
            if not self._is_publishing:
                group, self._waiting = self._waiting, []
                self._is_publishing = True
                return group
            if entry in self._waiting:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._waiting.remove(entry)
                    raise GroupPublishTimeoutError(
                        f"No publish took this {entry.task_name} item within {self._wait_timeout_seconds} s"
                    )
                self._condition.wait(remaining)
            else:
                self._condition.wait()
        return None

    def _lead(self, group: list[_Entry]) -> None:
        try:
            for (task_name, queue), entries in _by_task_and_queue(group).items():
                for start in range(0, len(entries), self._max_items_per_message):
                    chunk = entries[start : start + self._max_items_per_message]
                    self._publish_chunk(task_name, queue, chunk)
        finally:
            with self._condition:
                for entry in group:
                    if not entry.is_sent and entry.error is None:  # the leader was interrupted before publishing it
                        entry.error = GroupPublishInterruptedError("The publish that took this item was interrupted")
                    entry.is_done = True
                self._is_publishing = False
                self._condition.notify_all()

    def _publish_chunk(self, task_name: str, queue: str, chunk: list[_Entry]) -> None:
        try:
            self._publish_message(task_name, queue, [entry.item for entry in chunk])
        except Exception as error:  # every caller in the message gets it; the other messages go ahead
            for entry in chunk:
                entry.error = error
            return
        for entry in chunk:
            entry.is_sent = True


def _by_task_and_queue(group: list[_Entry]) -> dict[tuple[str, str], list[_Entry]]:
    grouped: dict[tuple[str, str], list[_Entry]] = {}
    for entry in group:
        grouped.setdefault((entry.task_name, entry.queue), []).append(entry)
    return grouped


_CREATION_LOCK = threading.Lock()


def _new_creation_lock_after_fork() -> None:
    # A thread of the parent may have held the lock when it forked; the child has no such thread to release it.
    global _CREATION_LOCK
    _CREATION_LOCK = threading.Lock()


os.register_at_fork(after_in_child=_new_creation_lock_after_fork)


def publisher_for(
    registry: MutableMapping[str, Any], key: Hashable, make: Callable[[], GroupPublisher]
) -> GroupPublisher:
    """The publisher this process keeps in ``registry`` (an app's extensions) under ``key``, made by ``make`` the
    first time it is asked for in this process, so a forked child never uses its parent's."""
    name = f"group_publisher:{key}"
    held = registry.get(name)
    pid = os.getpid()
    if held is not None and held[0] == pid:
        publisher: GroupPublisher = held[1]
        return publisher
    with _CREATION_LOCK:
        held = registry.get(name)
        if held is None or held[0] != pid:
            held = (pid, make())
            registry[name] = held
        publisher = held[1]
        return publisher
