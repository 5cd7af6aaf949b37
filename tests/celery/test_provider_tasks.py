"""The deliver tasks' retry policy (SPEC §5): SMS at once then every 5 minutes, email every 5 minutes, 48 in all."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock, patch

import psycopg
import pytest
from celery import Task
from celery.exceptions import Retry
from flask import Flask
from sqlalchemy.exc import NoResultFound, OperationalError, PendingRollbackError

from app.celery.celery_app import celery_settings
from app.celery.provider_tasks import RETRY_COUNTDOWN_SECONDS, deliver_email, deliver_sms
from app.celery.queues import TaskNames
from app.clock import utc_now
from app.dao.notification_sending_dao import QueueKey, dao_requeue_overdue_created_notifications
from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_status_by_id
from app.delivery.errors import DeliveryRetryableError, NotificationTechnicalFailureException
from app.notification_status import NotificationStatus
from config import load_config
from tests.celery.database_faults import leave_session_broken, terminate_session_connection
from tests.factories import create_notification, create_template

S = NotificationStatus
ALL_SMS = [QueueKey("sms", "normal", is_from_job, "normal") for is_from_job in (False, True)]
NOTIFICATION_ID = "7d1b6b8e-4a8c-4d29-9f0e-2f3c1a9b5e10"


def _run_as_retry(task: Task, retries: int, *args: object, **kwargs: object) -> None:
    """Run the task body as the worker would on its ``retries``-th retry."""
    task.push_request(retries=retries, args=list(args), kwargs=kwargs)
    try:
        task.run(*args, **kwargs)
    finally:
        task.pop_request()


@pytest.fixture
def send_sms() -> Iterator[MagicMock]:
    with patch("app.celery.provider_tasks.send_sms_to_provider", return_value="sending") as send:
        yield send


@pytest.fixture
def send_email() -> Iterator[MagicMock]:
    with patch("app.celery.provider_tasks.send_email_to_provider", return_value="sending") as send:
        yield send


@pytest.fixture
def sms_retry(notify_db_session: None) -> Iterator[MagicMock]:
    with patch.object(deliver_sms, "retry", side_effect=Retry()) as retry:
        yield retry


@pytest.fixture
def email_retry(notify_db_session: None) -> Iterator[MagicMock]:
    with patch.object(deliver_email, "retry", side_effect=Retry()) as retry:
        yield retry


def _provider_fails(send: MagicMock, provider: str | None = "mmg") -> None:
    send.side_effect = DeliveryRetryableError(f"{provider} failed", failed_provider=provider)


def test_deliver_sms_sends_the_notification(send_sms: MagicMock) -> None:
    deliver_sms(NOTIFICATION_ID)

    send_sms.assert_called_once_with(NOTIFICATION_ID, excluded_provider=None)


def test_deliver_email_sends_the_notification(send_email: MagicMock) -> None:
    deliver_email(NOTIFICATION_ID)

    send_email.assert_called_once_with(NOTIFICATION_ID, excluded_provider=None)


@pytest.mark.parametrize(
    ("retries", "countdown"), [(0, 0), (1, 300), (2, 300), (47, 300)], ids=lambda value: str(value)
)
def test_sms_retries_at_once_the_first_time_then_every_five_minutes(
    send_sms: MagicMock, sms_retry: MagicMock, retries: int, countdown: int
) -> None:
    _provider_fails(send_sms)

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, retries, NOTIFICATION_ID)

    sms_retry.assert_called_once_with(countdown=countdown, queue="retry", kwargs={"failed_provider": "mmg"})


@pytest.mark.parametrize(
    ("delivered_from", "retried_on"),
    [("priority-sms", "priority-sms"), ("send-sms", "retry"), ("bulk-sms", "retry"), ("retry", "retry")],
)
def test_a_priority_send_retries_on_its_own_queue_and_every_other_on_the_retry_queue(
    send_sms: MagicMock, sms_retry: MagicMock, delivered_from: str, retried_on: str
) -> None:
    _provider_fails(send_sms)

    deliver_sms.push_request(retries=1, args=[NOTIFICATION_ID], delivery_info={"routing_key": delivered_from})
    try:
        with pytest.raises(Retry):
            deliver_sms.run(NOTIFICATION_ID)
    finally:
        deliver_sms.pop_request()

    sms_retry.assert_called_once_with(countdown=300, queue=retried_on, kwargs={"failed_provider": "mmg"})


@pytest.mark.parametrize(("retries", "countdown"), [(0, 300), (1, 300), (47, 300)], ids=lambda value: str(value))
def test_email_retries_every_five_minutes(
    send_email: MagicMock, email_retry: MagicMock, retries: int, countdown: int
) -> None:
    _provider_fails(send_email, "ses")

    with pytest.raises(Retry):
        _run_as_retry(deliver_email, retries, NOTIFICATION_ID)

    email_retry.assert_called_once_with(countdown=countdown, queue="retry", kwargs={"failed_provider": "ses"})


@pytest.mark.parametrize(("retries", "countdown"), [(0, 180), (1, 300), (47, 300)], ids=lambda value: str(value))
def test_a_send_that_may_have_been_taken_is_retried_no_sooner_than_its_wait_for_a_receipt(
    send_sms: MagicMock, sms_retry: MagicMock, retries: int, countdown: int
) -> None:
    send_sms.side_effect = DeliveryRetryableError("mmg did not answer", failed_provider="mmg", retry_after_seconds=180)

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, retries, NOTIFICATION_ID)

    sms_retry.assert_called_once_with(countdown=countdown, queue="retry", kwargs={"failed_provider": "mmg"})


def test_the_retry_avoids_the_provider_that_failed(send_sms: MagicMock) -> None:
    _run_as_retry(deliver_sms, 1, NOTIFICATION_ID, failed_provider="mmg")

    send_sms.assert_called_once_with(NOTIFICATION_ID, excluded_provider="mmg")


def test_a_retry_after_an_error_without_a_provider_avoids_none(send_sms: MagicMock, sms_retry: MagicMock) -> None:
    _provider_fails(send_sms, provider=None)

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, 3, NOTIFICATION_ID, failed_provider="mmg")

    sms_retry.assert_called_once_with(countdown=300, queue="retry", kwargs={})


def test_an_unexpected_error_is_retried_on_the_same_schedule(send_sms: MagicMock, sms_retry: MagicMock) -> None:
    send_sms.side_effect = RuntimeError("boom")

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, 0, NOTIFICATION_ID)

    sms_retry.assert_called_once_with(countdown=0, queue="retry", kwargs={})


@pytest.mark.parametrize(
    ("task", "template_type", "send_function"),
    [(deliver_sms, "sms", "send_sms_to_provider"), (deliver_email, "email", "send_email_to_provider")],
    ids=["sms", "email"],
)
def test_after_the_48th_retry_the_notification_is_a_technical_failure(
    notify_db_session: None, task: Task, template_type: str, send_function: str
) -> None:
    notification = create_notification(template=create_template(template_type=template_type))
    with patch(f"app.celery.provider_tasks.{send_function}") as send:
        _provider_fails(send)

        with pytest.raises(NotificationTechnicalFailureException) as raised:
            _run_as_retry(task, 48, str(notification.id))

    assert str(raised.value) == (
        f"RETRY FAILED: Max retries reached. The task {send_function} failed for notification {notification.id}. "
        "Notification has been updated to technical-failure"
    )
    assert dao_get_notification_status_by_id(notification.id) == S.TECHNICAL_FAILURE


def test_the_technical_failure_is_logged_once_as_an_error(
    notify_db_session: None, send_sms: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    notification = create_notification()
    _provider_fails(send_sms)

    with caplog.at_level(logging.INFO), pytest.raises(NotificationTechnicalFailureException):
        _run_as_retry(deliver_sms, 48, str(notification.id))

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert [(record.getMessage()[:13], record.notification_id) for record in errors] == [  # type: ignore[attr-defined]
        ("RETRY FAILED:", str(notification.id))
    ]


def test_a_notification_another_worker_holds_is_not_failed(notify_db_session: None, send_sms: MagicMock) -> None:
    notification = create_notification(status=S.SENDING)
    _provider_fails(send_sms)

    with pytest.raises(NotificationTechnicalFailureException):
        _run_as_retry(deliver_sms, 48, str(notification.id))

    assert dao_get_notification_status_by_id(notification.id) == S.SENDING


def test_technical_failure_is_never_retried(send_sms: MagicMock, sms_retry: MagicMock) -> None:
    send_sms.side_effect = NotificationTechnicalFailureException("service inactive")

    with pytest.raises(NotificationTechnicalFailureException):
        deliver_sms(NOTIFICATION_ID)

    assert sms_retry.call_count == 0


@pytest.mark.parametrize(
    ("retries", "countdown"), [(0, 1), (1, 5), (2, 15), (3, 30), (4, 60)], ids=lambda value: str(value)
)
def test_a_notification_not_found_yet_is_retried_soon(
    send_sms: MagicMock, sms_retry: MagicMock, retries: int, countdown: int
) -> None:
    send_sms.side_effect = NoResultFound()

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, retries, str(uuid.uuid4()))

    sms_retry.assert_called_once_with(countdown=countdown, queue="retry")


def test_a_notification_still_missing_after_five_retries_is_dropped_with_an_error(
    send_sms: MagicMock, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    send_sms.side_effect = NoResultFound()

    with caplog.at_level(logging.ERROR):
        _run_as_retry(deliver_sms, 5, NOTIFICATION_ID)

    assert sms_retry.call_count == 0
    assert [record.getMessage() for record in caplog.records] == [
        f"Notification {NOTIFICATION_ID} not found after 5 retries; nothing sent"
    ]


def _kwargs_of(retry: MagicMock) -> dict[str, Any]:
    return dict(retry.call_args.kwargs["kwargs"])


def test_a_second_failure_replaces_the_provider_to_avoid(send_sms: MagicMock, sms_retry: MagicMock) -> None:
    _provider_fails(send_sms, provider="firetext")

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, 1, NOTIFICATION_ID, failed_provider="mmg")

    assert _kwargs_of(sms_retry) == {"failed_provider": "firetext"}


@pytest.mark.parametrize("task_name", [TaskNames.DELIVER_SMS, TaskNames.DELIVER_EMAIL], ids=str)
def test_worker_start_up_registers_the_deliver_task(notify_api: Flask, task_name: TaskNames) -> None:
    celery = notify_api.extensions["celery"]

    celery.loader.import_default_modules()

    assert str(task_name) in celery.tasks


def test_the_default_visibility_timeout_outlasts_the_longest_retry_countdown() -> None:
    settings = celery_settings({**load_config("test"), "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})

    assert settings["broker_transport_options"]["visibility_timeout"] > RETRY_COUNTDOWN_SECONDS


def test_a_notification_waiting_for_its_retry_is_left_to_it_by_the_safety_net(
    notify_db_session: None, send_sms: MagicMock, sms_retry: MagicMock
) -> None:
    notification_id = create_notification(created_at=utc_now() - timedelta(minutes=30)).id
    _provider_fails(send_sms)
    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, 1, str(notification_id))

    picked = dao_requeue_overdue_created_notifications(
        due_before=utc_now() + timedelta(seconds=RETRY_COUNTDOWN_SECONDS - 10), queue_keys=ALL_SMS, limit=10
    )

    assert picked == []
    assert dao_get_notification_by_id(notification_id).next_attempt_at > utc_now() + timedelta(minutes=4)


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("UPDATE notifications", {}, psycopg.OperationalError("server closed the connection")),
        PendingRollbackError("Can't reconnect until invalid transaction is rolled back"),
    ],
    ids=["dropped connection", "broken session"],
)
def test_a_database_error_is_retried_within_a_second_and_keeps_the_provider_to_avoid(
    send_sms: MagicMock, sms_retry: MagicMock, error: Exception
) -> None:
    send_sms.side_effect = error

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, 0, NOTIFICATION_ID, failed_provider="mmg")

    sms_retry.assert_called_once_with(exc=error, countdown=1, max_retries=48, queue="retry")


def test_a_database_error_is_not_logged_as_unexpected(
    send_sms: MagicMock, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    send_sms.side_effect = OperationalError("SELECT", {}, psycopg.OperationalError("connection refused"))

    with caplog.at_level(logging.INFO), pytest.raises(Retry):
        _run_as_retry(deliver_sms, 3, NOTIFICATION_ID)

    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", "deliver_sms could not use the database (OperationalError); retrying in 10 s")
    ]


@pytest.mark.parametrize(
    "break_session",
    [terminate_session_connection, leave_session_broken],
    ids=["connection killed", "session left broken by an earlier error"],
)
def test_a_send_whose_database_connection_died_is_retried_on_a_fresh_session(
    notify_db_session: None, sms_retry: MagicMock, break_session: Callable[[], None]
) -> None:
    notification_id = str(create_notification().id)
    break_session()

    with pytest.raises(Retry):
        _run_as_retry(deliver_sms, 0, notification_id)

    assert sms_retry.call_args.kwargs["countdown"] == 1
    assert dao_get_notification_status_by_id(notification_id) == S.CREATED  # the session works again
