"""The task-queue seam held at its first publish, to queue more work while a publish is in flight."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from app.celery import task_queue


class HeldSeam:
    """Wraps `task_queue.queue_task` (install with monkeypatch): the first publish waits for ``release()``; a publish
    whose args ``refuses`` says yes to raises ``refusal``; every other publish reaches the real broker."""

    def __init__(self, refusal: Exception) -> None:
        self.refusal = refusal
        self.refuses: Callable[[Any], bool] = lambda _args: False
        self._real_queue_task = task_queue.queue_task
        self._is_held = True
        self._held = threading.Event()
        self._released = threading.Event()

    def queue_task(self, name: Any, *, args: Any, queue: Any, **options: Any) -> None:
        if self._is_held:
            self._is_held = False
            self._held.set()
            assert self._released.wait(5), "never released"
        if self.refuses(args):
            raise self.refusal
        self._real_queue_task(name, args=args, queue=queue, **options)

    def wait_until_held(self) -> None:
        assert self._held.wait(5), "no publish started"

    def release(self) -> None:
        self._released.set()
