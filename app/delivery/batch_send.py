"""Hand a batch of notifications of one type to their providers, paying the database's costs once per batch.

Each notification goes through exactly the steps of a single send (`send_to_providers.py`: prepare, claim, call,
settle), with the same guards; what a batch shares is the statements and the waiting:

- one query loads every notification, one statement claims every claimable one (`created`, or a stale claim to take
  over), one statement records the accepted answers; the session is closed before any provider is called;
- the provider calls run at once on a bounded pool of threads per process, over the clients' kept-alive
  connections (the SMS clients' `requests` sessions and SES's boto3 client are shared and thread-safe);
- what a single send would retry is returned for the task to queue as a single deliver task (`provider_tasks.py`).

Time: every claim of a batch is made at one instant, and the claim lease (SENDING_CLAIM_LEASE_SECONDS) must outlast
the slowest call (PROVIDER_TIMEOUT_SECONDS to connect plus as much to answer) plus the time recording may keep
trying while the database recovers (database_errors.WRITE_RETRY_DELAYS_SECONDS): 60 - 20 - 30.5 leaves 9.5 s after
the claim in which a call may start. A call that has not started by then (the pool was busy with other batches) is
not made: its claim is handed back and it is retried at once. So a batch never holds a live claim past its lease,
whatever the pool size, batch size and number of batches in flight. With the defaults (BATCH_CALL_THREADS = 32,
calls of about 0.1 s) a process's pool starts about 300 calls a second, so some 2,800 calls (56 full batches) may
wait in it and still start in time, while a worker process of 16 threads has at most 16 batches (800 calls) in
flight. Settings whose lease leaves less than MIN_CALL_START_WINDOW_SECONDS (tests' 2-second lease) cannot keep the
promise on the single path either; there a call may start until half the lease has passed.

Sent but not recorded: a worker killed after a provider accepted a notification and before its answer was
recorded leaves a claim that the safety net takes for a send that never happened. So no answer waits for the rest
of its batch: as soon as one call returns, every answer in by then is recorded in one statement, and again for the
answers that came in meanwhile, until the last. Calls that return together (the usual case) share a statement; an
answer is never held back longer than the statement before it takes, as on the single path. (Recording the first
second's answers together, tried first, let a worker killed in that second send a whole batch's quick answers twice:
tests/reliability/test_bulk_fair_share.py.)
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from app.celery.database_errors import WRITE_RETRY_DELAYS_SECONDS, is_database_unavailable
from app.clock import utc_now
from app.dao.notification_sending_dao import ClaimRequest, dao_get_notifications_for_sending
from app.delivery.claims import SendingClaim, claim_notifications_for_sending, record_provider_answers, release_claim
from app.delivery.errors import DeliveryRetryableError, NotificationTechnicalFailureException
from app.delivery.queueing import MAX_DELIVER_BATCH
from app.delivery.send_to_providers import (
    PreparedSend,
    ProviderAnswer,
    call_provider,
    leave_alone,
    prepare_send,
    settle_acceptance,
    settle_refusal,
)
from app.extensions import db
from app.models import Notification
from app.notification_status import NotificationStatus

logger = logging.getLogger(__name__)

BATCH_CALL_THREADS = 32  # provider calls in flight per process: the SMS sessions' and SES's pooled connections
MIN_CALL_START_WINDOW_SECONDS = 1.0


@dataclass(frozen=True)
class BatchRetry:
    """A notification of the batch to retry as a single deliver task, as a single send's retry would be."""

    notification_id: uuid.UUID
    failed_provider: str | None
    least_countdown_seconds: int


@dataclass
class BatchOutcome:
    """What a batch came to: each handled notification's status afterwards, what to retry, what was not found."""

    statuses: dict[uuid.UUID, str] = field(default_factory=dict)
    retries: list[BatchRetry] = field(default_factory=list)
    missing: list[uuid.UUID] = field(default_factory=list)


def send_batch(notification_ids: Iterable[uuid.UUID]) -> BatchOutcome:
    """Send up to MAX_DELIVER_BATCH notifications (of any types), each exactly as send_to_providers would.

    Database errors propagate. Before the provider calls nothing was sent, and a retry of the batch is refused the
    claims already made until they go stale. After them, recording has kept trying for a while
    (record_provider_answers) and what is left unanswered is the stale-claim safety net's, as on the single path.
    """
    ids = list(dict.fromkeys(notification_ids))
    if len(ids) > MAX_DELIVER_BATCH:
        raise ValueError(f"a batch holds at most {MAX_DELIVER_BATCH} notifications, not {len(ids)}")
    outcome = BatchOutcome()
    notifications = {row.id: row for row in dao_get_notifications_for_sending(ids)}
    outcome.missing = [notification_id for notification_id in ids if notification_id not in notifications]
    sends: dict[uuid.UUID, PreparedSend] = {}
    was_sending: set[uuid.UUID] = set()
    for notification_id, notification in notifications.items():
        send = _prepare(notification, outcome)
        if send is not None:
            sends[notification_id] = send
            if notification.status == NotificationStatus.SENDING:
                was_sending.add(notification_id)
    claims = claim_notifications_for_sending(
        [ClaimRequest(send.notification_id, send.provider, send.billable_units) for send in sends.values()]
    )
    for notification_id in sends.keys() - claims.keys():
        outcome.statuses[notification_id] = leave_alone(notification_id)
    for notification_id in claims.keys() & was_sending:
        logger.warning(
            "Took over the stale sending claim of notification %s: its worker never recorded a provider answer",
            notification_id,
            extra={"notification_id": notification_id, "provider": claims[notification_id].provider},
        )
    db.session.remove()  # no connection is held while the providers take their time
    if claims:
        _hand_over(claims, sends, outcome)
    return outcome


def _prepare(notification: Notification, outcome: BatchOutcome) -> PreparedSend | None:
    """prepare_send, with what a single send's task would do about its errors noted in ``outcome``."""
    notification_id = notification.id
    try:
        send = prepare_send(notification, excluded_provider=None)
    except NotificationTechnicalFailureException:
        return None  # now `technical-failure`, logged as such: never retried
    except DeliveryRetryableError as error:  # no active provider
        logger.warning("Notification %s cannot be sent now: %s", notification_id, error)
        outcome.retries.append(BatchRetry(notification_id, error.failed_provider, error.retry_after_seconds))
        return None
    except Exception as error:
        if is_database_unavailable(error):
            raise
        logger.exception("Preparing notification %s failed unexpectedly", notification_id)
        outcome.retries.append(BatchRetry(notification_id, None, 0))
        return None
    if send is None:
        outcome.statuses[notification_id] = leave_alone(notification_id)
    return send


class _NotStartedInTimeError(Exception):
    """The call could not start while the claim had time left for it: it was not made."""


def _hand_over(
    claims: dict[uuid.UUID, SendingClaim], sends: dict[uuid.UUID, PreparedSend], outcome: BatchOutcome
) -> None:
    if len(claims) == 1:  # nothing to overlap: call from this thread, as a single send does
        ((notification_id, _claim),) = claims.items()
        future = _called_here(sends[notification_id])
        _settle([future], {future: notification_id}, claims, sends, outcome)
        return
    start_before = next(iter(claims.values())).claimed_at + call_start_window()
    futures: dict[Future[ProviderAnswer], uuid.UUID] = {
        call_pool().submit(_call_unless_late, sends[notification_id], start_before): notification_id
        for notification_id in claims
    }
    pending: set[Future[ProviderAnswer]] = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        _settle(done, futures, claims, sends, outcome)


def _settle(
    done: Iterable[Future[ProviderAnswer]],
    futures: dict[Future[ProviderAnswer], uuid.UUID],
    claims: dict[uuid.UUID, SendingClaim],
    sends: dict[uuid.UUID, PreparedSend],
    outcome: BatchOutcome,
) -> None:
    """Record the accepted answers of ``done`` in one statement, then settle each of its notifications."""
    answers: dict[uuid.UUID, ProviderAnswer] = {}
    failures: dict[uuid.UUID, BaseException] = {}
    for future in done:
        notification_id = futures[future]
        error = future.exception()
        if error is None:
            answers[notification_id] = future.result()
        else:
            failures[notification_id] = error
    accepted = {
        claims[notification_id]: answer.reference for notification_id, answer in answers.items() if answer.error is None
    }
    recorded = record_provider_answers(accepted) if accepted else {}
    for notification_id, answer in answers.items():
        claim, send = claims[notification_id], sends[notification_id]
        try:
            if answer.error is None:
                outcome.statuses[notification_id] = settle_acceptance(claim, send, recorded[notification_id])
            else:
                outcome.statuses[notification_id] = settle_refusal(claim, send, answer.error)
        except DeliveryRetryableError as error:
            outcome.retries.append(BatchRetry(notification_id, error.failed_provider, error.retry_after_seconds))
        except Exception as error:
            if is_database_unavailable(error):
                raise
            failures[notification_id] = error
    for notification_id, failure in failures.items():
        if isinstance(failure, _NotStartedInTimeError):
            release_claim(claims[notification_id])
            logger.warning("Notification %s: %s; retrying at once", notification_id, failure)
        else:
            # A bug: as on the single path, the claim is left for the safety net and the retry refused until then.
            logger.error("Sending notification %s failed unexpectedly", notification_id, exc_info=failure)
        outcome.retries.append(BatchRetry(notification_id, None, 0))


def _called_here(send: PreparedSend) -> Future[ProviderAnswer]:
    future: Future[ProviderAnswer] = Future()
    try:
        future.set_result(call_provider(send))
    except Exception as error:
        future.set_exception(error)
    return future


def _call_unless_late(send: PreparedSend, start_before: datetime) -> ProviderAnswer:
    if utc_now() >= start_before:
        raise _NotStartedInTimeError(f"its call could not start within the claim's window (before {start_before})")
    return call_provider(send)


def call_start_window() -> timedelta:
    """How long after the claim a provider call may still start (see the module's docstring)."""
    config = current_app.config
    lease_seconds = float(config["SENDING_CLAIM_LEASE_SECONDS"])
    slowest_call_seconds = 2 * float(config["PROVIDER_TIMEOUT_SECONDS"])
    window_seconds = lease_seconds - slowest_call_seconds - sum(WRITE_RETRY_DELAYS_SECONDS)
    if window_seconds < MIN_CALL_START_WINDOW_SECONDS:  # a lease too short for the promise (tests): half of it
        return timedelta(seconds=lease_seconds / 2)
    return timedelta(seconds=window_seconds)


_pool_lock = threading.Lock()
_pool: tuple[int, ThreadPoolExecutor] | None = None


def call_pool() -> ThreadPoolExecutor:
    """This process's pool for provider calls (made anew in a forked child: threads do not survive a fork)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(BATCH_CALL_THREADS, thread_name_prefix="provider-call"))
        return _pool[1]
