"""A task the database failed under (a restart, a dropped connection, a session an error broke) is retried soon on a
fresh session; any other error keeps its own handling."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import MagicMock, patch

import psycopg
import pytest
from celery import Task
from celery.exceptions import Retry
from flask import Flask
from sqlalchemy import exc

from app.celery.database_errors import (
    WRITE_RETRY_DELAYS_SECONDS,
    database_retry_countdown,
    is_database_unavailable,
    write_while_database_recovers,
)
from app.dao.notification_sending_dao import dao_requeue_overdue_created_notifications
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import NotificationStatus
from config import load_config
from tests.celery.database_faults import leave_session_broken
from tests.factories import create_notification

DRIVER_ERROR = psycopg.OperationalError("terminating connection due to administrator command")


def _invalidated() -> exc.DBAPIError:
    return exc.DBAPIError("SELECT 1", {}, DRIVER_ERROR, connection_invalidated=True)


@pytest.mark.parametrize(
    "error",
    [
        exc.OperationalError("SELECT 1", {}, DRIVER_ERROR),
        exc.InterfaceError("SELECT 1", {}, psycopg.InterfaceError("the connection is closed")),
        exc.PendingRollbackError("Can't reconnect until invalid transaction is rolled back"),
        exc.TimeoutError("QueuePool limit of size 32 overflow 10 reached"),
        DRIVER_ERROR,
        _invalidated(),
    ],
    ids=["operational", "interface", "pending rollback", "pool timeout", "driver", "invalidated"],
)
def test_errors_of_an_unreachable_database_are_recognised(error: BaseException) -> None:
    assert is_database_unavailable(error) is True


@pytest.mark.parametrize(
    "error",
    [
        exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")),
        exc.ProgrammingError("SELECT nope", {}, psycopg.errors.UndefinedColumn("column nope does not exist")),
        exc.InvalidRequestError("a bug in how the session is used"),
        exc.NoResultFound(),
        RuntimeError("boom"),
    ],
    ids=["integrity", "programming", "invalid request", "no result", "runtime"],
)
def test_bugs_and_bad_data_are_not_taken_for_an_unreachable_database(error: BaseException) -> None:
    assert is_database_unavailable(error) is False


@pytest.mark.parametrize(
    ("retries", "countdown"), [(0, 1), (1, 2), (2, 5), (3, 10), (6, 60), (19, 60)], ids=lambda value: str(value)
)
def test_database_retries_start_within_seconds_and_back_off_to_a_minute(retries: int, countdown: int) -> None:
    assert database_retry_countdown(retries) == countdown


@pytest.fixture
def periodic_task(notify_api: Flask) -> Iterator[Task]:
    """A plain task (no retry handling of its own) as the worker runs it: through the app's task class."""
    celery = notify_api.extensions["celery"]
    celery.loader.import_default_modules()
    task = celery.tasks["requeue_created_notifications"]
    task.push_request(retries=0, called_directly=False)
    with patch.object(task, "retry", side_effect=Retry()) as retry:
        task.retry_mock = retry
        yield task
    task.pop_request()


def _break_then(query: MagicMock) -> MagicMock:
    def broken(**kwargs: object) -> object:
        leave_session_broken()
        return dao_requeue_overdue_created_notifications(**kwargs)  # raises PendingRollbackError

    query.side_effect = broken
    return query


def test_a_task_whose_session_broke_is_retried_within_a_second(notify_db_session: None, periodic_task: Task) -> None:
    with patch("app.delivery.safety_nets.dao_requeue_overdue_created_notifications") as query:
        _break_then(query)

        with pytest.raises(Retry):
            periodic_task()

    retry = periodic_task.retry_mock  # type: ignore[attr-defined]
    assert isinstance(retry.call_args.kwargs["exc"], exc.PendingRollbackError)
    assert (retry.call_args.kwargs["countdown"], retry.call_args.kwargs["max_retries"]) == (1, 20)


def test_the_next_task_on_the_thread_gets_a_working_session(notify_db_session: None, periodic_task: Task) -> None:
    create_notification(status=NotificationStatus.CREATED)
    with patch("app.delivery.safety_nets.dao_requeue_overdue_created_notifications") as query:
        _break_then(query)
        with pytest.raises(Retry):
            periodic_task()

    queued = periodic_task()

    assert queued == 0  # ran its query on a fresh connection (the notification is not overdue yet)


def test_an_error_that_is_not_the_database_s_fails_the_task_without_a_retry(
    notify_db_session: None, periodic_task: Task
) -> None:
    bug = RuntimeError("bug")
    with (
        patch("app.delivery.safety_nets.dao_requeue_overdue_created_notifications", side_effect=bug),
        pytest.raises(RuntimeError),
    ):
        periodic_task()

    assert periodic_task.retry_mock.call_count == 0  # type: ignore[attr-defined]


def test_a_write_is_tried_again_on_a_fresh_session_once_the_database_is_back(notify_db_session: None) -> None:
    notification_id = create_notification(status=NotificationStatus.CREATED).id
    leave_session_broken()

    status = write_while_database_recovers(
        lambda: dao_get_notification_status_by_id(notification_id), delays_seconds=(0, 0)
    )

    assert status == NotificationStatus.CREATED


def test_a_write_gives_up_with_the_database_s_error_once_the_delays_are_spent(notify_db_session: None) -> None:
    attempts: list[int] = []

    def write() -> None:
        attempts.append(1)
        raise exc.OperationalError("UPDATE", {}, DRIVER_ERROR)

    with pytest.raises(exc.OperationalError):
        write_while_database_recovers(write, delays_seconds=(0, 0))

    assert len(attempts) == 3


def test_a_write_that_fails_for_another_reason_is_not_tried_again() -> None:
    attempts: list[int] = []

    def write() -> None:
        attempts.append(1)
        raise exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key"))

    with pytest.raises(exc.IntegrityError):
        write_while_database_recovers(write, delays_seconds=(0, 0))

    assert len(attempts) == 1


def test_the_write_retries_end_inside_the_claim_lease_even_after_the_slowest_provider_call() -> None:
    config = load_config("test")

    slowest_call_seconds = 2 * config["PROVIDER_TIMEOUT_SECONDS"]  # connect, then answer

    assert sum(WRITE_RETRY_DELAYS_SECONDS) + slowest_call_seconds < config["SENDING_CLAIM_LEASE_SECONDS"]
