"""The group commit of queued receipts: receipts queued while a publish is in flight go together in the next one,
and no submitter returns before the batch holding its receipt has been published (or fails when that publish did)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from app.receipts.receipt_batches import ReceiptBatcher, ReceiptNotQueuedError


class GatedPublisher:
    """Records each batch; the first publish waits until ``release`` is set, the rest go at once."""

    def __init__(self, fail_with: Exception | None = None) -> None:
        self.batches: list[list[Any]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.fail_with = fail_with

    def __call__(self, receipts: list[Any]) -> None:
        if not self.batches:
            self.batches.append(receipts)
            self.first_started.set()
            assert self.release.wait(5)
        else:
            self.batches.append(receipts)
        if self.fail_with is not None:
            raise self.fail_with


def _submit_in_threads(batcher: ReceiptBatcher, receipts: list[Any]) -> tuple[list[threading.Thread], dict[Any, Any]]:
    """Submit each receipt from its own thread; the outcome of each (None, or the error raised) lands in the dict."""
    outcomes: dict[Any, Any] = {}

    def submit(receipt: Any) -> None:
        try:
            batcher.submit(receipt)
            outcomes[receipt] = None
        except ReceiptNotQueuedError as error:
            outcomes[receipt] = error

    threads = [threading.Thread(target=submit, args=(receipt,)) for receipt in receipts]
    for thread in threads:
        thread.start()
    return threads, outcomes


def _wait_for_waiting(batcher: ReceiptBatcher, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(batcher._waiting) < count:  # noqa: SLF001 - the test waits for the threads to have queued
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_receipt_alone_is_published_at_once_as_a_batch_of_one() -> None:
    published: list[list[Any]] = []
    batcher = ReceiptBatcher(published.append)

    batcher.submit("a")
    batcher.submit("b")

    assert published == [["a"], ["b"]]


def test_receipts_queued_while_a_publish_is_in_flight_go_together_in_the_next() -> None:
    publisher = GatedPublisher()
    batcher = ReceiptBatcher(publisher)
    first, first_outcome = _submit_in_threads(batcher, ["first"])
    assert publisher.first_started.wait(5)
    rest, outcomes = _submit_in_threads(batcher, ["r1", "r2", "r3", "r4"])
    _wait_for_waiting(batcher, 4)
    assert all(thread.is_alive() for thread in rest)  # none answered before its batch went

    publisher.release.set()
    for thread in first + rest:
        thread.join(5)

    assert publisher.batches[0] == ["first"]
    assert sorted(publisher.batches[1]) == ["r1", "r2", "r3", "r4"]
    assert len(publisher.batches) == 2
    assert first_outcome == {"first": None}
    assert outcomes == {"r1": None, "r2": None, "r3": None, "r4": None}


def test_a_batch_is_bounded() -> None:
    publisher = GatedPublisher()
    batcher = ReceiptBatcher(publisher, max_batch=2)
    first, _ = _submit_in_threads(batcher, ["first"])
    assert publisher.first_started.wait(5)
    rest, outcomes = _submit_in_threads(batcher, ["r1", "r2", "r3", "r4", "r5"])
    _wait_for_waiting(batcher, 5)

    publisher.release.set()
    for thread in first + rest:
        thread.join(5)

    assert [len(batch) for batch in publisher.batches] == [1, 2, 2, 1]
    assert sorted(receipt for batch in publisher.batches[1:] for receipt in batch) == ["r1", "r2", "r3", "r4", "r5"]
    assert set(outcomes.values()) == {None}


def test_every_submitter_of_a_batch_whose_publish_failed_hears_of_it() -> None:
    broker_down = ConnectionError("broker down")
    publisher = GatedPublisher(fail_with=broker_down)
    batcher = ReceiptBatcher(publisher)
    first, first_outcome = _submit_in_threads(batcher, ["first"])
    assert publisher.first_started.wait(5)
    rest, outcomes = _submit_in_threads(batcher, ["r1", "r2"])
    _wait_for_waiting(batcher, 2)

    publisher.release.set()
    for thread in first + rest:
        thread.join(5)

    assert {receipt: error.__cause__ for receipt, error in {**first_outcome, **outcomes}.items()} == {
        "first": broker_down,
        "r1": broker_down,
        "r2": broker_down,
    }


def test_the_batcher_leads_again_after_a_failed_publish() -> None:
    calls: list[list[Any]] = []

    def publish(receipts: list[Any]) -> None:
        calls.append(receipts)
        if len(calls) == 1:
            raise ConnectionError("broker down")

    batcher = ReceiptBatcher(publish)
    with pytest.raises(ReceiptNotQueuedError):
        batcher.submit("a")

    batcher.submit("b")

    assert calls == [["a"], ["b"]]
