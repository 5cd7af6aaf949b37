"""Queueing the delivery-status callback: only for final statuses of services that set a callback."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from app.callbacks.delivery_status import enqueue_delivery_status_callback
from app.dao.service_callback_dao import dao_save_service_callback
from app.models import Notification
from app.notification_status import FINAL_STATUSES, NotificationStatus
from tests.factories import create_notification, create_template


def _notification_of_service_with_callback(status: str, callback_type: str = "delivery_status") -> Notification:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type=callback_type, url="https://example.com/cb", bearer_token="token-1234567"
    )
    return create_notification(template=template, status=status)


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES), ids=str)
def test_final_status_queues_the_callback_task_with_the_notification_id_only(
    notify_db_session: None, send_task: MagicMock, status: str
) -> None:
    notification = _notification_of_service_with_callback(status)

    queued = enqueue_delivery_status_callback(notification)

    assert queued is True
    send_task.assert_called_once_with("send_delivery_status_to_service", args=[str(notification.id)], queue="callbacks")


@pytest.mark.parametrize(
    "status", [NotificationStatus.CREATED, NotificationStatus.SENDING, NotificationStatus.PENDING], ids=str
)
def test_status_that_is_not_final_queues_nothing(notify_db_session: None, send_task: MagicMock, status: str) -> None:
    notification = _notification_of_service_with_callback(status)

    queued = enqueue_delivery_status_callback(notification)

    assert (queued, send_task.call_count) == (False, 0)


def test_service_without_a_delivery_status_callback_queues_nothing(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = _notification_of_service_with_callback("delivered", callback_type="inbound_sms")

    queued = enqueue_delivery_status_callback(notification)

    assert (queued, send_task.call_count) == (False, 0)
