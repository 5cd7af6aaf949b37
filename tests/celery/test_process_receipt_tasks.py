"""Receipt tasks: apply a receipt, retry one that beat its notification's commit, then drop it with a warning."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from celery import Task
from celery.exceptions import Retry

from app.celery.process_receipt_tasks import process_ses_receipt, process_sms_receipt
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_template
from tests.receipts.payloads import firetext_receipt, mmg_receipt, ses_event

S = NotificationStatus


@pytest.fixture
def sms_retry() -> Iterator[MagicMock]:
    with patch.object(process_sms_receipt, "retry", side_effect=Retry()) as retry:
        yield retry


def _run_as_retry(task: Task, retries: int, *args: object) -> None:
    """Run the task body as the worker would on its ``retries``-th retry."""
    task.push_request(retries=retries)
    try:
        task.run(*args)
    finally:
        task.pop_request()


@pytest.mark.parametrize(
    ("provider", "receipt_for"),
    [
        ("mmg", lambda notification_id: mmg_receipt("delivered", CID=notification_id)),
        ("firetext", lambda notification_id: firetext_receipt("delivered", reference=notification_id)),
    ],
    ids=["mmg", "firetext"],
)
def test_sms_receipt_task_applies_the_receipt(
    notify_db_session: None, provider: str, receipt_for: Callable[[str], dict[str, Any]]
) -> None:
    notification = create_notification(status=S.SENDING)

    process_sms_receipt(provider, receipt_for(str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_ses_receipt_task_applies_the_event(notify_db_session: None) -> None:
    notification = create_notification(
        template=create_template(template_type="email"), status=S.SENDING, reference="ses-message-1"
    )

    process_ses_receipt(ses_event("delivery", message_id="ses-message-1"))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


@pytest.mark.parametrize(
    ("retries", "countdown"),
    [(0, 10), (1, 20), (2, 30), (3, 45), (4, 60)],
    ids=lambda value: str(value),
)
def test_receipt_for_a_notification_not_committed_yet_is_retried_soon(
    notify_db_session: None, sms_retry: MagicMock, retries: int, countdown: int
) -> None:
    with pytest.raises(Retry):
        _run_as_retry(process_sms_receipt, retries, "mmg", mmg_receipt("delivered", CID=str(uuid.uuid4())))

    sms_retry.assert_called_once_with(exc=None, countdown=countdown, queue="receipts")


def test_receipt_retried_after_the_notification_commits_is_applied(
    notify_db_session: None, sms_retry: MagicMock
) -> None:
    notification_id = uuid.uuid4()
    receipt = mmg_receipt("delivered", CID=str(notification_id))
    with pytest.raises(Retry):
        process_sms_receipt("mmg", receipt)
    create_notification(notification_id=notification_id, status=S.SENDING)

    _run_as_retry(process_sms_receipt, 1, "mmg", receipt)

    assert dao_get_notification_status_by_id(notification_id) == S.DELIVERED


def test_receipt_for_an_unknown_notification_is_dropped_with_a_warning_after_five_retries(
    notify_db_session: None, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    unknown_id = uuid.uuid4()

    _run_as_retry(process_sms_receipt, 5, "firetext", firetext_receipt("delivered", reference=str(unknown_id)))

    assert sms_retry.call_count == 0
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.WARNING, f"No notification for firetext receipt reference {unknown_id}; dropped after 5 retries")
    ]


def test_ses_event_for_an_unknown_reference_is_retried(notify_db_session: None) -> None:
    with patch.object(process_ses_receipt, "retry", side_effect=Retry()) as retry, pytest.raises(Retry):
        process_ses_receipt(ses_event("delivery", message_id="not-yet"))

    retry.assert_called_once_with(exc=None, countdown=10, queue="receipts")


def test_receipt_with_a_malformed_reference_is_dropped_without_a_retry(
    notify_db_session: None, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    process_sms_receipt("mmg", mmg_receipt("delivered", CID="not-a-uuid"))

    assert sms_retry.call_count == 0
    assert [record.levelno for record in caplog.records] == [logging.WARNING]


def test_receipt_from_an_unknown_provider_is_dropped_with_an_error(
    notify_db_session: None, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    process_sms_receipt("carrier-pigeon", {"reference": str(uuid.uuid4()), "status": "0"})

    assert sms_retry.call_count == 0
    assert [record.levelno for record in caplog.records] == [logging.ERROR]
