"""Accepted notifications queued together: requests arriving during a publish share the next message on the real
broker, and when that message is refused every one of them fails and is deleted from the real database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.delivery.grouped_queueing import deliver_group_publisher
from app.extensions import db
from app.models import Notification
from app.notifications.prepare_notification import PreparedNotification
from app.notifications.process_notifications import persist_and_enqueue_notification
from tests.celery.held_seam import HeldSeam
from tests.v2.notifications.send_api import create_sender, post_send, queued_tasks, sms_body

MakePrepared = Callable[..., PreparedNotification]


class Request(threading.Thread):
    """One API request's store-and-queue, in its own thread and app context."""

    def __init__(self, app: Flask, prepared: PreparedNotification) -> None:
        super().__init__(daemon=True)
        self.app, self.prepared = app, prepared
        self.error: BaseException | None = None

    def run(self) -> None:
        with self.app.app_context():
            try:
                persist_and_enqueue_notification(self.prepared)
            except BaseException as error:
                self.error = error


@pytest.fixture
def held_seam(monkeypatch: pytest.MonkeyPatch) -> HeldSeam:
    seam = HeldSeam(ConnectionError("broker down"))
    monkeypatch.setattr("app.celery.task_queue.queue_task", seam.queue_task)
    return seam


@pytest.fixture
def start_requests(notify_api: Flask) -> Iterator[Callable[[list[PreparedNotification]], list[Request]]]:
    started: list[Request] = []

    def start(prepared: list[PreparedNotification]) -> list[Request]:
        requests = [Request(notify_api, each) for each in prepared]
        for request in requests:
            request.start()
        started.extend(requests)
        return requests

    yield start
    for request in started:
        request.join(10)


def wait_until_waiting(count: int) -> None:
    deadline = time.monotonic() + 10
    while deliver_group_publisher().waiting_count < count:
        assert time.monotonic() < deadline, "the requests never queued up"
        time.sleep(0.005)


def test_requests_arriving_during_a_publish_share_one_message(
    make_prepared: MakePrepared, held_seam: HeldSeam, start_requests: Callable[..., list[Request]]
) -> None:
    first, *others = [make_prepared() for _ in range(4)]
    (leader,) = start_requests([first])
    held_seam.wait_until_held()
    followers = start_requests(others)
    wait_until_waiting(3)

    held_seam.release()
    for request in [leader, *followers]:
        request.join(10)

    assert [request.error for request in [leader, *followers]] == [None] * 4
    messages = queued_tasks("send-sms")
    assert (messages[0], [name for name, _args in messages]) == (
        ("deliver_sms", [str(first.id)]),
        ["deliver_sms", "deliver_sms_batch"],
    )
    assert sorted(messages[1][1][0]) == sorted(str(prepared.id) for prepared in others)


def test_a_refused_message_fails_every_request_in_it_and_deletes_their_notifications(
    make_prepared: MakePrepared, held_seam: HeldSeam, start_requests: Callable[..., list[Request]]
) -> None:
    first, *others = [make_prepared() for _ in range(3)]
    (leader,) = start_requests([first])
    held_seam.wait_until_held()
    refused_id = str(others[0].id)
    # A batch carries its ids in a list, a single task its one id.
    held_seam.refuses = lambda args: refused_id in (args[0] if isinstance(args[0], list) else args)
    followers = start_requests(others)
    wait_until_waiting(2)

    held_seam.release()
    for request in [leader, *followers]:
        request.join(10)

    assert [type(request.error) for request in [leader, *followers]] == [type(None), ConnectionError, ConnectionError]
    assert [db.session.get(Notification, prepared.id) is not None for prepared in [first, *others]] == [
        True,
        False,
        False,
    ]
    assert queued_tasks("send-sms") == [("deliver_sms", [str(first.id)])]


def test_one_request_at_a_time_gets_a_message_each(client: FlaskClient) -> None:
    sender = create_sender()

    ids = [post_send(client, sender.api_key, "sms", sms_body(sender)).get_json()["id"] for _ in range(3)]

    assert queued_tasks("send-sms") == [("deliver_sms", [notification_id]) for notification_id in ids]
