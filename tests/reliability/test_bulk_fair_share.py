"""The bulk-lane feeder with a real worker and broker: a small job started while a big one drains finishes long
before it, every row is sent once, and a worker killed mid-job (feeder and all) loses nothing."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from pathlib import Path

from celery import Celery
from sqlalchemy import func, select

from app.dao.services_dao import dao_get_serialised_service
from app.extensions import db
from app.jobs.create_job import JobRequest, JobSender, create_job
from app.models import Notification
from devstack.child import ChildProcess
from tests.factories import create_service, create_template
from tests.reliability.provider_stub import ACCEPT, HOLD, ProviderStub
from tests.reliability.waiting import sent_by, wait_until
from tests.reliability.worker_process import StartWorker, worker_spec

logger = logging.getLogger(__name__)

BIG_JOB_ROWS = 1000
SMALL_JOB_ROWS = 40

FEEDER_SETTINGS = {
    "BULK_FEED_QUEUE_DEPTH": "60",
    "BULK_FEED_INTERVAL_SECONDS": "0.1",
    "BULK_FEED_RUN_SECONDS": "5",
    "CELERY_PREFETCH_MULTIPLIER": "1",  # as make run's bulk workers: each message carries BULK_FEED_BATCH_SIZE rows
    # The delivery safety net, scaled down, queues what a dead feeder handed over but never published.
    "CELERY_VISIBILITY_TIMEOUT_SECONDS": "370",
    "DELIVERY_SAFETY_NET_INTERVAL_SECONDS": "1",
    "REQUEUE_CREATED_AFTER_SECONDS": "3",
    # A batch's calls may start until half a lease this short has passed and take two provider timeouts (5 s each in
    # the worker environment): 10 + 10 = 20, so no call outlives its claim even on a loaded machine.
    "SENDING_CLAIM_LEASE_SECONDS": "20",
    # A held call that times out before the worker is killed is a send that may have been taken: it waits this long
    # for a receipt before it is sent again (180 s by default, as long as the test waits for every row). The stub
    # never accepts a request whose client hung up, so a resend after the wait is the only send.
    "AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS": "10",
}


def a_job(row_count: int, *, first_number: int = 0) -> uuid.UUID:
    service = create_service(sms_message_limit=1_000_000)
    template = create_template(service=service)
    rows = [["phone number", "name"]] + [
        [f"0770{1_000_000 + first_number + index:07d}", f"Person {index}"] for index in range(row_count)
    ]
    request = JobRequest(name="contacts.csv", template_id=template.id, rows=rows)
    return create_job(request, JobSender(service=dao_get_serialised_service(service.id))).id


def job_notification_ids(job_id: uuid.UUID) -> list[str]:
    """The job's notification ids in row order, read fresh."""
    db.session.remove()
    return [
        str(notification_id)
        for notification_id in db.session.execute(
            select(Notification.id).where(Notification.job_id == job_id).order_by(Notification.job_row_number)
        ).scalars()
    ]


def answers_settled(provider_stub: ProviderStub) -> bool:
    """True when the provider has accepted nothing new for half a second and every acceptance is recorded (a request
    that read the provider's mode just before the hold may still be accepted after it)."""
    accepted = len(provider_stub.accepted_references())
    time.sleep(0.5)
    references = provider_stub.accepted_references()
    return len(references) == accepted and unrecorded(references) == 0


def unrecorded(references: list[str]) -> int:
    """How many of the notifications the provider accepted have no answer recorded yet."""
    db.session.remove()
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.id.in_([uuid.UUID(reference) for reference in references]), Notification.sent_at.is_(None))
    ).scalar_one()


def start_process_job(publisher: Celery, job_id: uuid.UUID) -> None:
    publisher.send_task("process_job", args=[str(job_id)], queue="jobs")


def start_feeding_worker(environment: dict[str, str], log_path: Path, **settings: str) -> ChildProcess:
    worker = ChildProcess(worker_spec(concurrency=8), {**environment, **FEEDER_SETTINGS, **settings}, log_path)
    worker.start().wait_until_ready()
    return worker


def test_a_small_job_started_while_a_big_one_drains_finishes_long_before_it_and_every_row_is_sent_once(
    worker_environment: dict[str, str],
    tmp_path: Path,
    publisher: Celery,
    provider_stub: ProviderStub,
    notify_db_session: None,
) -> None:
    big = a_job(BIG_JOB_ROWS)
    small = a_job(SMALL_JOB_ROWS, first_number=500_000)
    db.session.remove()
    worker = start_feeding_worker(worker_environment, tmp_path / "worker.log")
    try:
        started_at = time.monotonic()
        start_process_job(publisher, big)
        wait_until(lambda: len(provider_stub.accepted_references()) >= 200, timeout_seconds=90)
        small_started_at = len(provider_stub.accepted_references())
        start_process_job(publisher, small)
        wait_until(
            lambda: len(provider_stub.accepted_references()) >= BIG_JOB_ROWS + SMALL_JOB_ROWS,
            timeout_seconds=240,
            describe=lambda: f"{len(provider_stub.accepted_references())} sent\n{worker.log()[-3000:]}",
        )
        seconds = time.monotonic() - started_at
    finally:
        worker.kill()

    big_ids, small_ids = set(job_notification_ids(big)), set(job_notification_ids(small))
    accepted = provider_stub.accepted_references()
    last_small = max(position for position, reference in enumerate(accepted) if reference in small_ids)
    big_sent_before_small_finished = sum(1 for reference in accepted[:last_small] if reference in big_ids)
    logger.warning(
        "%s rows in %.1f s; the small job started after row %s and was done at row %s (%s of the big job's)",
        BIG_JOB_ROWS + SMALL_JOB_ROWS,
        seconds,
        small_started_at,
        last_small,
        big_sent_before_small_finished,
    )
    assert Counter(accepted) == Counter(big_ids | small_ids)  # every row once, nothing lost
    # Queued behind the big job it would have waited for all its rows (800 more); with fair shares it waits behind
    # the rows already queued or taken (depth 60, and 8 threads x 1 prefetched x 10 rows a message: about 140) and
    # takes turns with the big job for the rest (about 40).
    assert big_sent_before_small_finished < small_started_at + 300, (small_started_at, big_sent_before_small_finished)
    assert {status for status, _provider in sent_by(big_ids | small_ids).values()} == {"sending"}


def test_a_worker_killed_mid_job_feeder_and_all_loses_no_row_and_sends_none_twice(
    worker_environment: dict[str, str],
    tmp_path: Path,
    publisher: Celery,
    provider_stub: ProviderStub,
    start_beat: StartWorker,
    notify_db_session: None,
) -> None:
    job = a_job(400)
    db.session.remove()
    doomed = start_feeding_worker(worker_environment, tmp_path / "doomed.log")
    try:
        start_process_job(publisher, job)
        wait_until(lambda: len(provider_stub.accepted_references()) >= 150, timeout_seconds=60)
        for provider in ("mmg", "firetext"):
            provider_stub.set_mode(provider, HOLD)
        provider_stub.wait_for_held_requests(4)
        # Every answer the provider gave before the hold is recorded before the kill: a send accepted and not yet
        # recorded when its worker dies is the one window where a notification can still go twice (see
        # send_to_providers.py), and a batch has more calls in flight to be caught in it; this test is about the rest.
        wait_until(lambda: answers_settled(provider_stub), timeout_seconds=30)
    finally:
        # Killed mid-job: rows waiting, rows handed over and queued, claims held, the feeder's run cut off.
        doomed.kill()
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, ACCEPT)
    provider_stub.release_held_requests()
    survivor = start_feeding_worker(worker_environment, tmp_path / "survivor.log")
    start_beat(**FEEDER_SETTINGS)
    try:
        ids = job_notification_ids(job)
        wait_until(
            lambda: set(provider_stub.accepted_references()) == set(ids),
            timeout_seconds=180,
            describe=lambda: f"{len(set(provider_stub.accepted_references()))} of 400\n{survivor.log()[-3000:]}",
        )
    finally:
        survivor.kill()

    assert provider_stub.dropped  # the killed worker's held requests never reached the provider
    assert Counter(provider_stub.accepted_references()) == Counter(ids)
    assert {status for status, _provider in sent_by(ids).values()} == {"sending"}
