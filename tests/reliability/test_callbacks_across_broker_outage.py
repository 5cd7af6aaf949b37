"""A receipt applied while the broker is down: acknowledged, its status kept, its callback queued once it is back."""

from __future__ import annotations

import pytest
import redis
from celery import Celery
from flask import Flask
from flask.testing import FlaskClient

from app.callbacks.pending import queue_pending_callbacks
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_template
from tests.receipts.payloads import mmg_receipt
from tests.reliability.redis_server import RedisServer


def test_a_callback_due_while_the_redis_broker_is_down_is_queued_when_it_is_back(
    notify_api: Flask,
    client: FlaskClient,
    broker: RedisServer,
    publisher: Celery,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(notify_api.extensions, "celery", publisher)  # the API publishes to the broker we can kill
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-1234567"
    )
    notification_id = create_notification(template=template, status=NotificationStatus.SENDING).id
    broker.kill()

    response = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered", CID=str(notification_id)))
    queued_while_down = queue_pending_callbacks()
    broker.start()
    queued_once_back = queue_pending_callbacks()

    assert (response.status_code, queued_while_down, queued_once_back) == (200, 0, 1)
    assert dao_get_notification_status_by_id(notification_id) == NotificationStatus.DELIVERED
    [message] = redis.Redis(unix_socket_path=str(broker.socket_path)).lrange("callbacks", 0, -1)
    assert str(notification_id).encode() in message
