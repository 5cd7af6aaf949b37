"""Sending receipts: in order, after their delay, retried on 5xx or no answer, never on 4xx, with basic auth."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from app.simulator.receipt_dispatcher import PlannedReceipt, ReceiptBody, ReceiptDispatcher
from app.simulator.records import Statistics
from tests.simulator.receiver import Receiver


@pytest.fixture
def statistics() -> Statistics:
    return Statistics()


@pytest.fixture
def dispatcher(statistics: Statistics) -> Iterator[ReceiptDispatcher]:
    dispatcher = ReceiptDispatcher(statistics=statistics, basic_auth=("herald", "secret"), first_backoff_seconds=0.01)
    dispatcher.start()
    yield dispatcher
    dispatcher.stop()


def _receipt(url: str, content: bytes = b"receipt", delay_seconds: float = 0.0) -> PlannedReceipt:
    return PlannedReceipt(
        url=url, build=lambda: ReceiptBody(content, {"Content-Type": "text/plain"}), delay_seconds=delay_seconds
    )


def _receipt_counts(statistics: Statistics, *, settle_seconds: float = 5.0) -> dict[str, int]:
    deadline = time.monotonic() + settle_seconds
    while True:
        counts = statistics.as_dict(["mmg"])["mmg"]["receipts"]
        if counts.get("pending") == 0 or time.monotonic() > deadline:
            return counts
        time.sleep(0.01)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_receipt_is_retried_until_herald_takes_it(
    dispatcher: ReceiptDispatcher, receiver: Receiver, statistics: Statistics
) -> None:
    receiver.answer_with([503, 500])

    dispatcher.send("mmg", [_receipt(f"{receiver.url}/r")])

    assert (len(receiver.wait_for(3)), _receipt_counts(statistics)) == (3, {"pending": 0, "retried": 2, "sent": 1})


def test_receipt_refused_with_a_4xx_is_not_retried(
    dispatcher: ReceiptDispatcher, receiver: Receiver, statistics: Statistics
) -> None:
    receiver.answer_with([403])

    dispatcher.send("mmg", [_receipt(f"{receiver.url}/r")])

    assert (_receipt_counts(statistics), len(receiver.received_after(0.2))) == ({"pending": 0, "failed": 1}, 1)


def test_receipt_to_an_unreachable_herald_fails_after_its_attempts(statistics: Statistics) -> None:
    dispatcher = ReceiptDispatcher(statistics=statistics, attempts=3, first_backoff_seconds=0.01)
    dispatcher.start()

    dispatcher.send("mmg", [_receipt(f"http://127.0.0.1:{_closed_port()}/r")])

    counts = _receipt_counts(statistics)
    dispatcher.stop()
    assert counts == {"pending": 0, "retried": 2, "failed": 1}


def test_receipts_of_one_message_arrive_in_order_even_when_the_first_is_retried(
    dispatcher: ReceiptDispatcher, receiver: Receiver
) -> None:
    receiver.answer_with([503, 503])

    dispatcher.send("mmg", [_receipt(f"{receiver.url}/r", b"first"), _receipt(f"{receiver.url}/r", b"second")])

    assert [request.body for request in receiver.wait_for(4)] == [b"first", b"first", b"first", b"second"]


def test_receipt_waits_for_its_delay(dispatcher: ReceiptDispatcher, receiver: Receiver) -> None:
    started = time.monotonic()

    dispatcher.send("mmg", [_receipt(f"{receiver.url}/r", delay_seconds=0.3)])

    receiver.wait_for(1)
    assert time.monotonic() - started >= 0.3


def test_receipt_carries_the_configured_basic_auth(dispatcher: ReceiptDispatcher, receiver: Receiver) -> None:
    dispatcher.send("mmg", [_receipt(f"{receiver.url}/r")])

    [request] = receiver.wait_for(1)

    assert request.authorization is not None
    assert (request.authorization.username, request.authorization.password) == ("herald", "secret")


def test_credentials_in_the_receipt_url_win_over_the_configured_ones(
    dispatcher: ReceiptDispatcher, receiver: Receiver
) -> None:
    url = receiver.url.replace("http://", "http://provider:url-secret@")

    dispatcher.send("mmg", [_receipt(f"{url}/r")])

    [request] = receiver.wait_for(1)
    assert request.authorization is not None
    assert (request.authorization.username, request.authorization.password) == ("provider", "url-secret")


def test_stopping_drops_receipts_not_yet_due(statistics: Statistics, receiver: Receiver) -> None:
    dispatcher = ReceiptDispatcher(statistics=statistics)
    dispatcher.start()
    dispatcher.send("mmg", [_receipt(f"{receiver.url}/r", delay_seconds=0.5)])

    dispatcher.stop()

    assert receiver.received_after(0.7) == []


def test_receipt_that_cannot_be_built_is_counted_failed_and_the_next_one_still_goes(
    dispatcher: ReceiptDispatcher, receiver: Receiver, statistics: Statistics
) -> None:
    def broken() -> ReceiptBody:
        raise RuntimeError("no body")

    dispatcher.send("mmg", [PlannedReceipt(f"{receiver.url}/r", broken, 0.0), _receipt(f"{receiver.url}/r", b"next")])

    assert ([request.body for request in receiver.wait_for(1)], _receipt_counts(statistics)) == (
        [b"next"],
        {"pending": 0, "failed": 1, "sent": 1},
    )
