"""The task-queue seam: what it puts on the real Redis broker, one message at a time and in batches."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import current_app

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames


def _waiting_messages(queue: str) -> list[dict[str, Any]]:
    redis = current_app.extensions["redis"]
    return [json.loads(raw) for raw in reversed(redis.lrange(queue, 0, -1))]


def _name_args_kwargs(message: dict[str, Any]) -> tuple[str, list[Any], dict[str, Any]]:
    args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return message["headers"]["task"], args, kwargs


def test_a_queued_task_carries_its_name_args_and_kwargs_on_its_queue(notify_db_session: None) -> None:
    task_queue.queue_task(
        TaskNames.DELIVER_SMS, args=["an-id"], queue=QueueNames.RETRY, kwargs={"failed_provider": "mmg"}
    )

    messages = _waiting_messages("retry")

    assert [_name_args_kwargs(message) for message in messages] == [
        ("deliver_sms", ["an-id"], {"failed_provider": "mmg"})
    ]


def test_a_countdown_makes_the_task_due_later_and_none_leaves_it_due_now(notify_db_session: None) -> None:
    task_queue.queue_task(TaskNames.DELIVER_SMS, args=["later"], queue=QueueNames.RETRY, countdown_seconds=180)
    task_queue.queue_task(TaskNames.DELIVER_SMS, args=["now"], queue=QueueNames.RETRY)

    etas = {_name_args_kwargs(message)[1][0]: message["headers"]["eta"] for message in _waiting_messages("retry")}

    assert (etas["later"] is not None, etas["now"]) == (True, None)


def test_a_batch_queues_one_message_per_argument_list_in_order(notify_db_session: None) -> None:
    task_queue.queue_tasks(TaskNames.DELIVER_EMAIL, arg_lists=[["first"], ["second"]], queue=QueueNames.SEND_EMAIL)

    messages = _waiting_messages("send-email")

    assert [_name_args_kwargs(message)[:2] for message in messages] == [
        ("deliver_email", ["first"]),
        ("deliver_email", ["second"]),
    ]


def test_an_empty_batch_queues_nothing(notify_db_session: None) -> None:
    task_queue.queue_tasks(TaskNames.DELIVER_EMAIL, arg_lists=[], queue=QueueNames.SEND_EMAIL)

    assert _waiting_messages("send-email") == []
