"""Callbacks the broker refuses when they are due are kept in pending_callbacks and queued by beat later."""

from __future__ import annotations

import uuid
from unittest.mock import MagicMock, call

import pytest
from flask import Flask
from flask.testing import FlaskClient
from kombu.exceptions import OperationalError
from sqlalchemy import select

from app.callbacks.delivery_status import enqueue_delivery_status_callback
from app.callbacks.pending import queue_pending_callbacks
from app.clients.statsd_client import StatsdClient
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.dao.pending_callbacks_dao import dao_record_pending_callback
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.models import Notification, PendingCallback
from app.notification_status import NotificationStatus
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_notification, create_template
from tests.receipts.payloads import mmg_receipt

DELIVERY_STATUS_TASK = "send_delivery_status_to_service"


def _notification_of_service_with_callback(status: str) -> Notification:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-1234567"
    )
    return create_notification(template=template, status=status)


def _pending() -> list[tuple[str, uuid.UUID]]:
    rows = db.session.execute(select(PendingCallback).order_by(PendingCallback.created_at)).scalars().all()
    db.session.commit()
    return [(row.task_name, row.row_id) for row in rows]


def test_a_callback_the_broker_refuses_is_kept_pending_instead_of_raising(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = _notification_of_service_with_callback(NotificationStatus.DELIVERED)
    send_task.side_effect = OperationalError("broker down")

    queued = enqueue_delivery_status_callback(notification)

    assert queued is True
    assert _pending() == [(DELIVERY_STATUS_TASK, notification.id)]


def test_a_receipt_applied_while_the_broker_is_down_is_acknowledged_and_its_callback_kept(
    client: FlaskClient, send_task: MagicMock
) -> None:
    notification = _notification_of_service_with_callback(NotificationStatus.SENDING)
    notification_id = notification.id
    send_task.side_effect = OperationalError("broker down")

    response = client.post("/notifications/sms/mmg", json=mmg_receipt("delivered", CID=str(notification_id)))

    assert response.status_code == 200
    assert dao_get_notification_status_by_id(notification_id) == NotificationStatus.DELIVERED
    assert _pending() == [(DELIVERY_STATUS_TASK, notification_id)]


def test_beat_queues_every_pending_callback_once_the_broker_takes_them_and_forgets_them(
    notify_db_session: None, send_task: MagicMock
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    dao_record_pending_callback(DELIVERY_STATUS_TASK, first)
    dao_record_pending_callback("send_complaint_to_service", second)

    queued = queue_pending_callbacks()

    assert queued == 2
    assert send_task.call_args_list == [
        call(DELIVERY_STATUS_TASK, args=[str(first)], queue="callbacks"),
        call("send_complaint_to_service", args=[str(second)], queue="callbacks"),
    ]
    assert _pending() == []


def test_callbacks_the_broker_still_refuses_stay_pending(notify_db_session: None, send_task: MagicMock) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    dao_record_pending_callback(DELIVERY_STATUS_TASK, first)
    dao_record_pending_callback(DELIVERY_STATUS_TASK, second)
    send_task.side_effect = [None, OperationalError("broker down again")]

    queued = queue_pending_callbacks()

    assert queued == 1
    assert _pending() == [(DELIVERY_STATUS_TASK, second)]


def test_pending_callbacks_are_queued_in_batches(
    notify_api: Flask, notify_db_session: None, send_task: MagicMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "DELIVERY_SAFETY_NET_BATCH_SIZE", 2)
    for _ in range(5):
        dao_record_pending_callback(DELIVERY_STATUS_TASK, uuid.uuid4())

    assert (queue_pending_callbacks(), send_task.call_count, _pending()) == (5, 5, [])


def test_refused_and_later_queued_callbacks_are_counted(
    notify_db_session: None,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    notification = _notification_of_service_with_callback(NotificationStatus.DELIVERED)
    send_task.side_effect = OperationalError("broker down")
    enqueue_delivery_status_callback(notification)
    send_task.side_effect = None

    queue_pending_callbacks()

    callback_counters = [line for line in statsd_listener.receive_all() if ".callbacks." in line]
    assert callback_counters == [
        f"{STATSD_PREFIX}.callbacks.pending:1|c",
        f"{STATSD_PREFIX}.callbacks.pending-queued:1|c",
        f"{STATSD_PREFIX}.callbacks.pending-backlog:0|g",
    ]


def test_the_callbacks_still_owed_after_a_run_are_set_as_a_gauge(
    notify_db_session: None,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    for _ in range(2):
        dao_record_pending_callback(DELIVERY_STATUS_TASK, uuid.uuid4())
    send_task.side_effect = OperationalError("broker still down")

    queue_pending_callbacks()

    gauges = [line for line in statsd_listener.receive_all() if line.endswith("|g")]
    assert gauges == [f"{STATSD_PREFIX}.callbacks.pending-backlog:2|g"]
