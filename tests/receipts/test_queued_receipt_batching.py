"""Queued receipts share messages on the real broker: receipts queued while a publish is in flight go together in
the next `process_sms_receipts` message of their provider, and a receipt's request answers only once its message is
on the broker (503 when it could not be). The publisher's own rules are tested in tests/celery/test_group_publisher.py.
"""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from kombu.exceptions import OperationalError as BrokerError

from app.celery.queues import TaskNames
from app.errors import InvalidRequest
from app.receipts.queueing import queue_receipt
from tests.celery.held_seam import HeldSeam
from tests.v2.notifications.send_api import queued_tasks


@pytest.fixture
def held_seam(monkeypatch: pytest.MonkeyPatch) -> HeldSeam:
    seam = HeldSeam(BrokerError("broker down"))
    monkeypatch.setattr("app.celery.task_queue.queue_task", seam.queue_task)
    return seam


class Receipt(threading.Thread):
    """One receipt request's queueing, in its own thread and app context."""

    def __init__(self, app: Flask, provider: str, reference: str) -> None:
        super().__init__(daemon=True)
        self.app, self.provider, self.reference = app, provider, reference
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        with self.app.app_context():
            try:
                queue_receipt(
                    TaskNames.PROCESS_SMS_RECEIPTS,
                    {"reference": self.reference},
                    provider=self.provider,
                    leading_args=(self.provider,),
                )
            except BaseException as error:
                self.error = error


def _wait_until_waiting(app: Flask, count: int) -> None:
    deadline = time.monotonic() + 5
    while sum(_waiting_counts(app)) < count:
        assert time.monotonic() < deadline, "the receipts never queued behind the held publish"
        time.sleep(0.005)


def _waiting_counts(app: Flask) -> list[int]:
    return [held[1].waiting_count for name, held in app.extensions.items() if str(name).startswith("group_publisher")]


def test_receipts_queued_during_a_publish_share_their_providers_next_message(
    notify_api: Flask, notify_db_session: None, held_seam: HeldSeam
) -> None:
    first = Receipt(notify_api, "mmg", "first")
    held_seam.wait_until_held()
    rest = [Receipt(notify_api, "mmg", f"mmg-{number}") for number in range(3)]
    _wait_until_waiting(notify_api, 3)
    assert all(receipt.is_alive() for receipt in rest)  # none answered before its message was on the broker

    held_seam.release()
    for receipt in [first, *rest]:
        receipt.join(5)

    with notify_api.app_context():
        queued = queued_tasks("receipts")
    assert [receipt.error for receipt in [first, *rest]] == [None] * 4
    assert queued[0] == ("process_sms_receipts", ["mmg", [{"reference": "first"}]])
    assert queued[1][0] == "process_sms_receipts"
    assert queued[1][1][0] == "mmg"
    assert sorted(receipt["reference"] for receipt in queued[1][1][1]) == ["mmg-0", "mmg-1", "mmg-2"]
    assert len(queued) == 2


def test_providers_never_share_a_message(notify_api: Flask, notify_db_session: None, held_seam: HeldSeam) -> None:
    held_seam.release()  # nothing is held in this test

    for provider in ("mmg", "firetext"):
        Receipt(notify_api, provider, provider).join(5)

    with notify_api.app_context():
        assert queued_tasks("receipts") == [
            ("process_sms_receipts", ["mmg", [{"reference": "mmg"}]]),
            ("process_sms_receipts", ["firetext", [{"reference": "firetext"}]]),
        ]


def test_every_receipt_in_a_refused_message_is_answered_503(
    notify_api: Flask, notify_db_session: None, held_seam: HeldSeam
) -> None:
    held_seam.refuses = lambda _args: True
    first = Receipt(notify_api, "mmg", "first")
    held_seam.wait_until_held()
    rest = [Receipt(notify_api, "mmg", f"mmg-{number}") for number in range(2)]
    _wait_until_waiting(notify_api, 2)

    held_seam.release()
    for receipt in [first, *rest]:
        receipt.join(5)

    assert [getattr(receipt.error, "status_code", None) for receipt in [first, *rest]] == [503, 503, 503]
    assert all(isinstance(receipt.error, InvalidRequest) for receipt in [first, *rest])
    with notify_api.app_context():
        assert queued_tasks("receipts") == []
