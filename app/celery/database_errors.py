"""Which errors mean "the database could not be reached or the connection broke", and how soon a task tries again.

A PostgreSQL restart, a failover or a killed backend surfaces as one of these, in whatever statement the task was
running. None of them says anything about the task's work: the session is thrown away and the task retried soon on a
fresh connection. A bug (a bad statement, a constraint) is none of these and keeps its own handling.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from celery import Task
from sqlalchemy import exc

from app.extensions import db

logger = logging.getLogger(__name__)

# OperationalError: the connection was refused or dropped (also serialisation failures and deadlocks, which are worth
# a retry too). InterfaceError: the connection was closed under the driver. PendingRollbackError: a statement ran on a
# session whose transaction an earlier error broke ("Can't reconnect until invalid transaction is rolled back").
# TimeoutError: no pooled connection came free in time.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.PendingRollbackError,
    exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)

# Soon at first (a restart takes seconds), then less often, so a long outage is not hammered: about 10 minutes of
# outage before a task with 20 database retries gives up.
DATABASE_RETRY_COUNTDOWNS_SECONDS = (1, 2, 5, 10, 20, 30, 60)
DATABASE_MAX_RETRIES = 20
# Waits between attempts at a write that cannot be redone later (a provider's answer, known only to this worker):
# 30.5 s in all, which with the slowest provider call (2 x 10 s) ends inside the 60 s claim lease.
WRITE_RETRY_DELAYS_SECONDS = (0.5, 1, 2, 4, 8, 15)

T = TypeVar("T")


def is_database_unavailable(error: BaseException) -> bool:
    """True for a lost or refused connection, or a session broken by one; False for anything else."""
    if isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
        return True
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


def database_retry_countdown(retries: int) -> int:
    """Seconds before the ``retries``-th retry after a database error."""
    return DATABASE_RETRY_COUNTDOWNS_SECONDS[min(retries, len(DATABASE_RETRY_COUNTDOWNS_SECONDS) - 1)]


def retry_after_database_error(task: Task, error: BaseException, **retry_options: Any) -> Exception:
    """Throw the task's broken session away and retry the task soon on a fresh connection.

    Raises celery's Retry (or ``error`` itself once the retries are spent, or when the task was called directly, as
    Task.retry does). The error's text is not logged: it may carry a statement's parameters.
    """
    db.session.remove()
    countdown = database_retry_countdown(task.request.retries)
    logger.warning(
        "%s could not use the database (%s); retrying in %s s",
        task.name,
        type(error).__name__,
        countdown,
        extra={"task_name": task.name, "error_type": type(error).__name__},
    )
    max_retries = max(task.max_retries or 0, DATABASE_MAX_RETRIES)
    retry: Exception = task.retry(exc=error, countdown=countdown, max_retries=max_retries, **retry_options)
    return retry


def write_while_database_recovers(
    write: Callable[[], T], *, delays_seconds: Sequence[float] = WRITE_RETRY_DELAYS_SECONDS
) -> T:
    """Run ``write``; while the database is unavailable, throw the session away and try again after each delay.

    Returns what ``write`` returns; raises its last error once the delays are spent, and any other error at once.
    """
    for delay_seconds in delays_seconds:
        try:
            return write()
        except Exception as error:
            if not is_database_unavailable(error):
                raise
            db.session.remove()
            logger.warning(
                "Could not write to the database (%s); trying again in %s s",
                type(error).__name__,
                delay_seconds,
                extra={"error_type": type(error).__name__},
            )
            time.sleep(delay_seconds)
    return write()
