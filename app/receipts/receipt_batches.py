"""Receipts the endpoints queue, gathered into batch tasks across a process's request threads (a group commit).

A provider hears 200 only once the broker has its receipt (SPEC §6), so a receipt never waits in memory for a batch
to fill. Instead, while one thread publishes a batch, the receipts other threads queue meanwhile gather, and the next
publish takes them all (up to MAX_RECEIPT_BATCH) as one task. A receipt alone goes at once, as a batch of one; in a
burst (a database outage queues every receipt) one publish carries many, and the worker applies each batch in one
statement. No timer: a receipt waits at most for the publish in flight before its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Receipts in one batch task: the worker applies them in one UPDATE (a 500-receipt batch is a 1,500-row unnest).
MAX_RECEIPT_BATCH = 500

Publish = Callable[[list[Any]], None]


class ReceiptNotQueuedError(Exception):
    """The publish of the batch holding this receipt failed; ``__cause__`` is the publish's error."""


@dataclass
class _Waiting:
    receipt: Any
    settled: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    leads: bool = False


class ReceiptBatcher:
    """Publishes the receipts submitted to it, those that arrive while a publish is in flight gathered into one batch.

    One submitting thread at a time leads: it publishes batches until its own receipt is in one that went, then hands
    the lead to the oldest receipt still waiting, whose thread publishes the next batch.
    """

    def __init__(self, publish: Publish, *, max_batch: int = MAX_RECEIPT_BATCH) -> None:
        self._publish = publish
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._is_led = False

    def submit(self, receipt: Any) -> None:
        """Return once a batch holding ``receipt`` has been published; raise ReceiptNotQueuedError when that publish
        failed."""
        waiting = _Waiting(receipt)
        with self._lock:
            self._waiting.append(waiting)
            waiting.leads = not self._is_led
            self._is_led = True
        if not waiting.leads:
            waiting.settled.wait()
        if waiting.leads:  # from the start, or handed the lead while it waited
            waiting.settled.clear()
            self._lead(waiting)
        if waiting.error is not None:
            raise ReceiptNotQueuedError("receipt batch not published") from waiting.error

    def _lead(self, own: _Waiting) -> None:
        while not own.settled.is_set():
            with self._lock:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
            self._publish_batch(batch)
        with self._lock:
            if self._waiting:
                successor = self._waiting[0]
                successor.leads = True
                successor.settled.set()
            else:
                self._is_led = False

    def _publish_batch(self, batch: Sequence[_Waiting]) -> None:
        error: BaseException | None = None
        try:
            self._publish([waiting.receipt for waiting in batch])
        except Exception as publish_error:  # every waiting thread answers for its own receipt
            error = publish_error
        for waiting in batch:
            waiting.error = error
            waiting.leads = False
            waiting.settled.set()
