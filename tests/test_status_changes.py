"""The one path for status changes: a change that is made is logged, counted and calls the service back once final;
a change the status machine refuses does none of these."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from unittest.mock import MagicMock, patch

import pytest
from flask import Flask

from app.clients.statsd_client import StatsdClient
from app.clock import utc_now
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.models import Notification
from app.notification_status import NotificationStatus
from app.status_changes import (
    ChangeLog,
    change_status,
    change_status_by_receipt,
    fail_unsent_notifications,
    time_out_unanswered_notifications,
)
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_notification, create_service, create_template

S = NotificationStatus
CALLBACK_TASK = "send_delivery_status_to_service"


@pytest.fixture
def send_task(notify_api: Flask) -> Iterator[MagicMock]:
    with patch.object(notify_api.extensions["celery"], "send_task") as mock:
        yield mock


def _with_callback(*, status: str, days_old: int = 0) -> Notification:
    service = create_service()
    dao_save_service_callback(
        service.id, callback_type="delivery_status", url="https://service.example/cb", bearer_token="t" * 12
    )
    return create_notification(
        template=create_template(service=service), status=status, created_at=utc_now() - timedelta(days=days_old)
    )


def _callbacks(send_task: MagicMock) -> list[str]:
    return sorted(call.kwargs["args"][0] for call in send_task.call_args_list if call.args[0] == CALLBACK_TASK)


def test_a_final_change_is_logged_with_its_fields_and_calls_the_service_back(
    notify_db_session: None, send_task: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    notification = _with_callback(status=S.SENDING)
    log = ChangeLog("Notification %s gave up", (notification.id,), level=logging.ERROR, fields={"provider": "mmg"})

    with caplog.at_level(logging.INFO, logger="app.status_changes"):
        updated = change_status(notification.id, S.TECHNICAL_FAILURE, log=log)

    assert updated is not None
    assert dao_get_notification_by_id(notification.id).status == S.TECHNICAL_FAILURE
    [record] = caplog.records
    assert (record.levelno, record.getMessage()) == (logging.ERROR, f"Notification {notification.id} gave up")
    assert (record.notification_id, record.service_id, record.notification_status, record.provider) == (  # type: ignore[attr-defined]
        notification.id,
        notification.service_id,
        S.TECHNICAL_FAILURE,
        "mmg",
    )
    assert _callbacks(send_task) == [str(notification.id)]


def test_a_change_to_a_status_that_is_not_final_calls_nobody_back(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = _with_callback(status=S.SENDING)

    updated = change_status(notification.id, S.PENDING, log=ChangeLog("pending"))

    assert updated is not None
    assert updated.status == S.PENDING
    assert _callbacks(send_task) == []


@pytest.mark.parametrize(
    ("current", "target", "only_from"),
    [
        (S.DELIVERED, S.TECHNICAL_FAILURE, None),
        (S.CREATED, S.DELIVERED, None),
        (S.SENDING, S.TECHNICAL_FAILURE, [S.CREATED]),
    ],
    ids=["out-of-a-final-status", "a-move-the-machine-forbids", "outside-only-from"],
)
def test_a_refused_change_writes_logs_and_queues_nothing(
    notify_db_session: None,
    send_task: MagicMock,
    caplog: pytest.LogCaptureFixture,
    current: str,
    target: NotificationStatus,
    only_from: list[str] | None,
) -> None:
    notification = _with_callback(status=current)

    with caplog.at_level(logging.DEBUG, logger="app.status_changes"):
        updated = change_status(notification.id, target, only_from=only_from, log=ChangeLog("changed"))

    assert updated is None
    assert dao_get_notification_by_id(notification.id).status == current
    assert [record for record in caplog.records if record.name == "app.status_changes"] == []
    assert _callbacks(send_task) == []


def test_a_receipt_change_is_counted_under_its_provider(
    notify_db_session: None,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    notification = create_notification(status=S.SENDING, sent_at=utc_now() - timedelta(seconds=2), sent_by="mmg")

    updated = change_status_by_receipt(
        notification.id, S.DELIVERED, current=S.SENDING, provider="mmg", log=ChangeLog("delivered")
    )

    assert updated is not None
    names = {datagram.split(":")[0].removeprefix(f"{STATSD_PREFIX}.") for datagram in statsd_listener.receive_all()}
    assert {"callback.mmg.delivered", "callback.mmg.elapsed-time"} <= names


def test_a_receipt_for_a_status_the_notification_has_left_changes_nothing(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = _with_callback(status=S.PENDING)

    updated = change_status_by_receipt(
        notification.id, S.DELIVERED, current=S.SENDING, provider="mmg", log=ChangeLog("delivered")
    )

    assert updated is None
    assert dao_get_notification_by_id(notification.id).status == S.PENDING
    assert _callbacks(send_task) == []


def test_the_batch_form_changes_many_rows_and_calls_each_service_back(
    notify_db_session: None, send_task: MagicMock
) -> None:
    waiting = [_with_callback(status=status, days_old=4) for status in (S.SENDING, S.PENDING)]
    fresh = _with_callback(status=S.SENDING)
    never_sent = _with_callback(status=S.CREATED, days_old=4)
    cutoff = utc_now() - timedelta(days=3)

    timed_out = time_out_unanswered_notifications(created_before=cutoff, limit=10)
    failed = fail_unsent_notifications(created_before=cutoff, limit=10)

    assert (timed_out, failed) == (2, 1)
    statuses = [dao_get_notification_by_id(n.id).status for n in (*waiting, fresh, never_sent)]
    assert statuses == [S.TEMPORARY_FAILURE, S.TEMPORARY_FAILURE, S.SENDING, S.TECHNICAL_FAILURE]
    assert _callbacks(send_task) == sorted(str(n.id) for n in (*waiting, never_sent))


def _counters(listener: StatsdListener, *families: str) -> list[str]:
    names = tuple(f"{STATSD_PREFIX}.{family}." for family in families)
    return sorted(line for line in listener.receive_all() if line.startswith(names))


def test_every_change_is_counted_by_notification_type_and_status(
    notify_db_session: None,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    notification = _with_callback(status=S.SENDING)

    change_status(notification.id, S.TECHNICAL_FAILURE, log=ChangeLog("gave up"))

    assert _counters(statsd_listener, "notifications") == [f"{STATSD_PREFIX}.notifications.sms.technical-failure:1|c"]


def test_a_refused_change_is_not_counted(
    notify_db_session: None,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    notification = _with_callback(status=S.DELIVERED)

    change_status(notification.id, S.TECHNICAL_FAILURE, log=ChangeLog("gave up"))

    assert _counters(statsd_listener, "notifications") == []


def test_batch_changes_are_counted_per_type_and_time_outs_as_receipts_that_never_came(
    notify_db_session: None,
    send_task: MagicMock,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    email_template = create_template(template_type="email")
    for _ in range(2):
        create_notification(template=email_template, status=S.SENDING, created_at=utc_now() - timedelta(days=4))
    _with_callback(status=S.PENDING, days_old=4)
    _with_callback(status=S.CREATED, days_old=4)
    cutoff = utc_now() - timedelta(days=3)

    time_out_unanswered_notifications(created_before=cutoff, limit=10)
    fail_unsent_notifications(created_before=cutoff, limit=10)

    assert _counters(statsd_listener, "notifications", "receipts") == [
        f"{STATSD_PREFIX}.notifications.email.temporary-failure:2|c",
        f"{STATSD_PREFIX}.notifications.sms.technical-failure:1|c",
        f"{STATSD_PREFIX}.notifications.sms.temporary-failure:1|c",
        f"{STATSD_PREFIX}.receipts.email.timed-out:2|c",
        f"{STATSD_PREFIX}.receipts.sms.timed-out:1|c",
    ]
