"""The group publisher on its own: who leads, what each message carries, deadlines, failures, and forked children."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.celery.group_publisher import GroupPublisher, GroupPublishTimeoutError, publisher_for

Message = tuple[str, str, list[Any]]


class HeldBroker:
    """Records each message with the thread that published it; ``hold()`` makes the next publish wait for
    ``release()``, and ``fail_with`` makes publishes carrying a given item raise."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.publishing_threads: list[int] = []
        self.fail_with: dict[Any, Exception] = {}
        self._is_held = False
        self._held = threading.Event()
        self._released = threading.Event()

    def hold(self) -> None:
        self._is_held = True

    def wait_until_held(self) -> None:
        assert self._held.wait(5), "no publish started"

    def release(self) -> None:
        self._released.set()

    def publish(self, task_name: str, queue: str, items: list[Any]) -> None:
        if self._is_held:
            self._is_held = False
            self._held.set()
            assert self._released.wait(5), "never released"
        for item in items:
            if item in self.fail_with:
                raise self.fail_with[item]
        self.messages.append((task_name, queue, list(items)))
        self.publishing_threads.append(threading.get_ident())


class Caller(threading.Thread):
    """One request: submits an item and keeps what came of it."""

    def __init__(self, publisher: GroupPublisher, item: Any, queue: str = "send-sms") -> None:
        super().__init__(daemon=True)
        self.publisher, self.item, self.queue = publisher, item, queue
        self.error: BaseException | None = None
        self.is_finished = False

    def run(self) -> None:
        try:
            self.publisher.submit("deliver_sms_batch", self.queue, self.item)
        except BaseException as error:
            self.error = error
        self.is_finished = True


@pytest.fixture
def broker() -> HeldBroker:
    return HeldBroker()


@pytest.fixture
def start_callers() -> Iterator[Callable[..., list[Caller]]]:
    started: list[Caller] = []

    def start(publisher: GroupPublisher, items: list[Any], queue: str = "send-sms") -> list[Caller]:
        callers = [Caller(publisher, item, queue) for item in items]
        for caller in callers:
            caller.start()
        started.extend(callers)
        return callers

    yield start
    for caller in started:
        caller.join(5)


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        time.sleep(0.005)


def test_alone_a_caller_publishes_its_own_message_at_once_in_its_own_thread(broker: HeldBroker) -> None:
    publisher = GroupPublisher(broker.publish)

    for item in ["a", "b", "c"]:
        publisher.submit("deliver_sms_batch", "send-sms", item)

    assert broker.messages == [("deliver_sms_batch", "send-sms", [item]) for item in ["a", "b", "c"]]
    assert broker.publishing_threads == [threading.get_ident()] * 3


def test_callers_arriving_during_a_publish_share_the_next_message(
    broker: HeldBroker, start_callers: Callable[..., list[Caller]]
) -> None:
    publisher = GroupPublisher(broker.publish)
    broker.hold()
    (first,) = start_callers(publisher, ["first"])
    broker.wait_until_held()
    waiting = start_callers(publisher, ["w1", "w2", "w3"])
    wait_for(lambda: publisher.waiting_count == 3)
    assert not any(caller.is_finished for caller in waiting)

    broker.release()
    for caller in [first, *waiting]:
        caller.join(5)

    assert [caller.error for caller in [first, *waiting]] == [None] * 4
    assert (len(broker.messages), broker.messages[0][2], sorted(broker.messages[1][2])) == (
        2,
        ["first"],
        ["w1", "w2", "w3"],
    )


def test_a_group_is_split_by_queue_and_into_messages_of_at_most_the_limit(
    broker: HeldBroker, start_callers: Callable[..., list[Caller]]
) -> None:
    publisher = GroupPublisher(broker.publish, max_items_per_message=2)
    broker.hold()
    start_callers(publisher, ["first"])
    broker.wait_until_held()
    sms = start_callers(publisher, ["s1", "s2", "s3", "s4", "s5"], "send-sms")
    wait_for(lambda: publisher.waiting_count == 5)
    research = start_callers(publisher, ["r1"], "research-mode")
    wait_for(lambda: publisher.waiting_count == 6)

    broker.release()
    for caller in [*sms, *research]:
        caller.join(5)

    later = broker.messages[1:]
    assert sorted(len(items) for _task, queue, items in later if queue == "send-sms") == [1, 2, 2]
    assert sorted(item for _task, queue, items in later if queue == "send-sms" for item in items) == [
        "s1",
        "s2",
        "s3",
        "s4",
        "s5",
    ]
    assert [items for _task, queue, items in later if queue == "research-mode"] == [["r1"]]


def test_a_failed_publish_fails_every_caller_in_its_message_and_no_other(
    broker: HeldBroker, start_callers: Callable[..., list[Caller]]
) -> None:
    publisher = GroupPublisher(broker.publish)
    broker.hold()
    (first,) = start_callers(publisher, ["first"])
    broker.wait_until_held()
    refused = ConnectionError("broker down")
    broker.fail_with["s2"] = refused
    sms = start_callers(publisher, ["s1", "s2"], "send-sms")
    wait_for(lambda: publisher.waiting_count == 2)
    research = start_callers(publisher, ["r1"], "research-mode")
    wait_for(lambda: publisher.waiting_count == 3)

    broker.release()
    for caller in [first, *sms, *research]:
        caller.join(5)

    assert [caller.error for caller in [first, *sms, *research]] == [None, refused, refused, None]
    assert [items for _task, _queue, items in broker.messages] == [["first"], ["r1"]]


def test_a_caller_no_publish_takes_before_its_deadline_fails_and_its_item_is_never_sent(
    broker: HeldBroker, start_callers: Callable[..., list[Caller]]
) -> None:
    publisher = GroupPublisher(broker.publish, wait_timeout_seconds=0.2)
    broker.hold()
    (first,) = start_callers(publisher, ["first"])
    broker.wait_until_held()
    (late,) = start_callers(publisher, ["late"])

    late.join(5)
    assert (isinstance(late.error, GroupPublishTimeoutError), first.is_finished) == (True, False)
    broker.release()
    first.join(5)

    assert (first.error, broker.messages) == (None, [("deliver_sms_batch", "send-sms", ["first"])])
    assert publisher.waiting_count == 0


def test_after_a_timeout_the_next_caller_still_leads_a_publish(broker: HeldBroker) -> None:
    publisher = GroupPublisher(broker.publish, wait_timeout_seconds=0.05)
    broker.hold()
    first = Caller(publisher, "first")
    first.start()
    broker.wait_until_held()
    with pytest.raises(GroupPublishTimeoutError):
        publisher.submit("deliver_sms_batch", "send-sms", "late")
    broker.release()
    first.join(5)

    publisher.submit("deliver_sms_batch", "send-sms", "next")

    assert [items for _task, _queue, items in broker.messages] == [["first"], ["next"]]


def test_a_process_keeps_one_publisher_and_a_forked_child_gets_its_own(broker: HeldBroker) -> None:
    registry: dict[str, Any] = {}
    made: list[GroupPublisher] = []

    def make() -> GroupPublisher:
        made.append(GroupPublisher(broker.publish))
        return made[-1]

    parents = publisher_for(registry, "deliver", make), publisher_for(registry, "deliver", make)
    # The parent has a publish in flight when it forks: a child sharing its publisher would wait for it forever.
    broker.hold()
    in_flight = Caller(parents[0], "parent's")
    in_flight.start()
    broker.wait_until_held()

    read_end, write_end = os.pipe()
    child_pid = os.fork()
    if child_pid == 0:  # the child: report whether it got a fresh publisher that publishes at once, then exit
        try:
            child_broker = HeldBroker()
            child_publisher = publisher_for(registry, "deliver", lambda: GroupPublisher(child_broker.publish))
            child_publisher.submit("deliver_sms_batch", "send-sms", "child's")
            is_fresh = child_publisher is not parents[0] and child_broker.messages == [
                ("deliver_sms_batch", "send-sms", ["child's"])
            ]
            os.write(write_end, b"fresh" if is_fresh else b"shared")
        finally:
            os._exit(0)
    os.close(write_end)
    _pid, status = os.waitpid(child_pid, 0)
    child_said = os.read(read_end, 16)
    os.close(read_end)
    broker.release()
    in_flight.join(5)

    assert (parents[0] is parents[1], len(made)) == (True, 1)
    assert (os.waitstatus_to_exitcode(status), child_said) == (0, b"fresh")
    assert publisher_for(registry, "deliver", make) is parents[0]
