"""A worker started from the app's Celery settings knows every receipt and callback task by its queued name."""

from __future__ import annotations

import pytest
from flask import Flask

from app.celery.queues import TaskNames


@pytest.mark.parametrize(
    "task_name",
    [
        TaskNames.PROCESS_SMS_RECEIPT,
        TaskNames.PROCESS_SES_RECEIPT,
        TaskNames.PROCESS_SMS_RECEIPTS,
        TaskNames.PROCESS_SES_RECEIPTS,
        TaskNames.SEND_DELIVERY_STATUS_TO_SERVICE,
        TaskNames.SEND_COMPLAINT_TO_SERVICE,
        TaskNames.SEND_INBOUND_SMS_TO_SERVICE,
        TaskNames.DELIVER_LETTER,
        TaskNames.CHECK_TIME_TO_COLLATE_LETTERS,
        TaskNames.PROCESS_LETTER_CALLBACK,
        TaskNames.SEND_RETURNED_LETTER_TO_SERVICE,
        TaskNames.PROCESS_RETURNED_LETTERS_LIST,
    ],
    ids=str,
)
def test_worker_start_up_registers_the_task(notify_api: Flask, task_name: TaskNames) -> None:
    celery = notify_api.extensions["celery"]

    celery.loader.import_default_modules()

    assert str(task_name) in celery.tasks
