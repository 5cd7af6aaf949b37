"""Safety nets: queue again what was never handed over, time out what never got a receipt."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from unittest.mock import MagicMock, call

import pytest
from flask import Flask
from freezegun import freeze_time
from kombu import Producer

from app.clock import utc_now
from app.dao.notification_sending_dao import dao_update_notification_next_attempt_at
from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.delivery.safety_nets import (
    requeue_created_notifications,
    requeue_stale_sending_claims,
    timeout_sending_notifications,
)
from app.models import Notification
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_service, create_template

S = NotificationStatus


@pytest.fixture
def batch_of_two(notify_api: Flask) -> Iterator[None]:
    original = notify_api.config["DELIVERY_SAFETY_NET_BATCH_SIZE"]
    notify_api.config["DELIVERY_SAFETY_NET_BATCH_SIZE"] = 2
    yield
    notify_api.config["DELIVERY_SAFETY_NET_BATCH_SIZE"] = original


def _deliver_calls(send_task: MagicMock) -> list[tuple[str, str, str]]:
    return sorted((c.args[0], c.kwargs["args"][0], c.kwargs["queue"]) for c in send_task.call_args_list)


@pytest.mark.parametrize(
    ("template_type", "key_type", "task", "queue"),
    [
        ("sms", "normal", "deliver_sms", "send-sms"),
        ("email", "team", "deliver_email", "send-email"),
        ("sms", "test", "deliver_sms", "research-mode"),
    ],
    ids=["sms", "email", "test key"],
)
def test_a_notification_created_long_ago_is_queued_again_on_its_queue(
    notify_db_session: None, send_task: MagicMock, template_type: str, key_type: str, task: str, queue: str
) -> None:
    notification = create_notification(
        template=create_template(template_type=template_type),
        key_type=key_type,
        created_at=utc_now() - timedelta(minutes=11),
    )

    queued = requeue_created_notifications()

    assert queued == 1
    send_task.assert_called_once_with(task, args=[str(notification.id)], queue=queue, kwargs=None, countdown_seconds=0)


def test_a_recent_created_notification_is_left_to_its_task(notify_db_session: None, send_task: MagicMock) -> None:
    create_notification(created_at=utc_now() - timedelta(seconds=50))

    queued = requeue_created_notifications()

    assert (queued, send_task.call_count) == (0, 0)


def test_a_notification_waiting_for_its_retry_countdown_is_not_sent_early(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = create_notification(created_at=utc_now() - timedelta(minutes=30))
    dao_update_notification_next_attempt_at(notification.id, next_attempt_at=utc_now() + timedelta(minutes=4))

    queued = requeue_created_notifications()

    assert (queued, send_task.call_count) == (0, 0)


def test_a_notification_whose_retry_never_came_is_queued_again_a_minute_after_it_was_due(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = create_notification(created_at=utc_now() - timedelta(minutes=30))
    dao_update_notification_next_attempt_at(notification.id, next_attempt_at=utc_now() - timedelta(seconds=61))

    queued = requeue_created_notifications()

    assert (queued, _deliver_calls(send_task)) == (1, [("deliver_sms", str(notification.id), "send-sms")])


def test_a_notification_queued_again_is_not_queued_a_second_time_by_the_next_run(
    notify_db_session: None, send_task: MagicMock
) -> None:
    create_notification(created_at=utc_now() - timedelta(minutes=30))

    first_run = requeue_created_notifications()
    second_run = requeue_created_notifications()

    assert (first_run, second_run, send_task.call_count) == (1, 0, 1)


@pytest.fixture
def waiting_sms_message(notify_api: Flask) -> Iterator[None]:
    """One message waiting on the real broker's send-sms queue (a backlog), removed afterwards."""
    celery = notify_api.extensions["celery"]
    queue = celery.amqp.queues["send-sms"]
    with celery.connection_for_write() as connection:
        Producer(connection).publish(
            {"waiting": True}, exchange=queue.exchange, routing_key="send-sms", declare=[queue]
        )
    yield
    with celery.connection_for_write() as connection:
        queue.bind(connection.default_channel).purge()


def test_overdue_notifications_behind_a_backlog_on_their_queue_are_left_to_it(
    notify_db_session: None, send_task: MagicMock, waiting_sms_message: None
) -> None:
    create_notification(created_at=utc_now() - timedelta(minutes=30))
    email = create_notification(
        template=create_template(template_type="email"), created_at=utc_now() - timedelta(minutes=30)
    )

    queued = requeue_created_notifications()

    assert (queued, _deliver_calls(send_task)) == (1, [("deliver_email", str(email.id), "send-email")])


@pytest.fixture
def waiting_bulk_sms_message(notify_api: Flask) -> Iterator[None]:
    """One message waiting on the real broker's bulk-sms queue (a job's backlog), removed afterwards."""
    celery = notify_api.extensions["celery"]
    queue = celery.amqp.queues["bulk-sms"]
    with celery.connection_for_write() as connection:
        Producer(connection).publish(
            {"waiting": True}, exchange=queue.exchange, routing_key="bulk-sms", declare=[queue]
        )
    yield
    with celery.connection_for_write() as connection:
        queue.bind(connection.default_channel).purge()


def test_overdue_notifications_are_queued_again_on_their_own_lane(
    notify_db_session: None, send_task: MagicMock
) -> None:
    long_ago = utc_now() - timedelta(minutes=30)
    priority = create_notification(template=create_template(process_type="priority"), created_at=long_ago)
    normal = create_notification(created_at=long_ago)
    bulk = create_notification(created_at=long_ago, job_id=uuid.uuid4(), job_row_number=0)
    bulk_email = create_notification(
        template=create_template(template_type="email", process_type="priority"),
        created_at=long_ago,
        job_id=uuid.uuid4(),
        job_row_number=0,
    )

    queued = requeue_created_notifications()

    assert (queued, _deliver_calls(send_task)) == (
        4,
        sorted(
            [
                ("deliver_sms", str(priority.id), "priority-sms"),
                ("deliver_sms", str(normal.id), "send-sms"),
                ("deliver_sms", str(bulk.id), "bulk-sms"),
                ("deliver_email", str(bulk_email.id), "bulk-email"),
            ]
        ),
    )


def test_a_bulk_backlog_holds_back_only_the_bulk_lanes_overdue_notifications(
    notify_db_session: None, send_task: MagicMock, waiting_bulk_sms_message: None
) -> None:
    long_ago = utc_now() - timedelta(minutes=30)
    priority = create_notification(template=create_template(process_type="priority"), created_at=long_ago)
    normal = create_notification(created_at=long_ago)
    create_notification(created_at=long_ago, job_id=uuid.uuid4(), job_row_number=0)

    queued = requeue_created_notifications()

    assert (queued, _deliver_calls(send_task)) == (
        2,
        sorted([("deliver_sms", str(priority.id), "priority-sms"), ("deliver_sms", str(normal.id), "send-sms")]),
    )


def test_every_batch_is_queued(notify_db_session: None, send_task: MagicMock, batch_of_two: None) -> None:
    template = create_template()
    notifications = [
        create_notification(template=template, created_at=utc_now() - timedelta(minutes=30)) for _ in range(5)
    ]

    queued = requeue_created_notifications()

    assert queued == 5
    assert {c.kwargs["args"][0] for c in send_task.call_args_list} == {str(n.id) for n in notifications}


def test_a_stale_claim_is_handed_back_and_queued_again(notify_db_session: None, send_task: MagicMock) -> None:
    notification = create_notification(created_at=utc_now() - timedelta(minutes=5))
    dao_update_notification_status_by_id(
        notification.id, S.SENDING, sending_claimed_at=utc_now() - timedelta(minutes=3)
    )

    queued = requeue_stale_sending_claims()

    assert (queued, dao_get_notification_by_id(notification.id).status) == (1, S.CREATED)
    assert _deliver_calls(send_task) == [("deliver_sms", str(notification.id), "send-sms")]


def test_a_fresh_claim_is_left_with_its_worker(notify_db_session: None, send_task: MagicMock) -> None:
    notification = create_notification()
    dao_update_notification_status_by_id(notification.id, S.SENDING, sending_claimed_at=utc_now())

    queued = requeue_stale_sending_claims()

    assert (queued, dao_get_notification_by_id(notification.id).status) == (0, S.SENDING)


def _with_callback(status: S, *, days_old: int) -> Notification:
    service = create_service()
    dao_save_service_callback(
        service.id, callback_type="delivery_status", url="https://service.example/cb", bearer_token="t" * 12
    )
    return create_notification(
        template=create_template(service=service), status=status, created_at=utc_now() - timedelta(days=days_old)
    )


def test_a_notification_without_a_receipt_for_72_hours_times_out(notify_db_session: None, send_task: MagicMock) -> None:
    notification = _with_callback(S.PENDING, days_old=4)

    timed_out = timeout_sending_notifications()

    assert (timed_out, dao_get_notification_by_id(notification.id).status) == (1, S.TEMPORARY_FAILURE)


def test_a_timed_out_notification_is_reported_to_its_service(notify_db_session: None, send_task: MagicMock) -> None:
    notification = _with_callback(S.SENDING, days_old=4)

    timeout_sending_notifications()

    assert send_task.call_args_list == [
        call("send_delivery_status_to_service", args=[str(notification.id)], queue="callbacks")
    ]


def test_the_timeout_counts_from_creation(notify_db_session: None, send_task: MagicMock) -> None:
    with freeze_time(utc_now() - timedelta(hours=71)):
        notification = create_notification(status=S.SENDING)

    timed_out = timeout_sending_notifications()

    assert (timed_out, dao_get_notification_by_id(notification.id).status) == (0, S.SENDING)


def test_a_notification_never_handed_over_in_72_hours_is_a_technical_failure(
    notify_db_session: None, send_task: MagicMock
) -> None:
    notification = create_notification(status=S.CREATED, created_at=utc_now() - timedelta(days=4))

    timed_out = timeout_sending_notifications()

    assert (timed_out, dao_get_notification_by_id(notification.id).status) == (1, S.TECHNICAL_FAILURE)


def test_every_batch_times_out(notify_db_session: None, send_task: MagicMock, batch_of_two: None) -> None:
    template = create_template()
    for status in (S.SENDING, S.PENDING, S.SENDING, S.CREATED, S.CREATED, S.CREATED):
        create_notification(template=template, status=status, created_at=utc_now() - timedelta(days=4))

    timed_out = timeout_sending_notifications()

    assert timed_out == 6


@pytest.mark.parametrize("status", [S.CREATED, S.SENDING], ids=str)
def test_letters_are_never_queued_to_a_provider_or_timed_out(
    notify_db_session: None, send_task: MagicMock, status: NotificationStatus
) -> None:
    letter = create_notification(
        template=create_template(template_type="letter", content="Hi"),
        to="A\nB\nSW1A 1AA",
        status=status,
        created_at=utc_now() - timedelta(days=5),
    )

    queued = requeue_created_notifications()
    timed_out = timeout_sending_notifications()

    assert (queued, timed_out, dao_get_notification_by_id(letter.id).status) == (0, 0, status)
    send_task.assert_not_called()
