"""Beat's job tasks: scheduled jobs start when due; jobs nobody works on are queued again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from freezegun import freeze_time

from app.celery.job_tasks import resume_stalled_jobs, run_scheduled_jobs
from app.clients.statsd_client import StatsdClient
from app.clock import utc_now
from app.dao.jobs_dao import dao_get_job_by_id
from app.extensions import db
from app.models import Job
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_template
from tests.jobs.conftest import queued_tasks


def status_of(job: Job) -> str:
    db.session.expire_all()
    return dao_get_job_by_id(job.id).job_status


def test_due_scheduled_jobs_become_pending_and_are_queued(make_job: Callable[..., Job]) -> None:
    template = create_template()
    due = make_job(template=template, scheduled_for=utc_now() + timedelta(minutes=30))
    later = make_job(template=template, scheduled_for=utc_now() + timedelta(hours=2))

    with freeze_time(utc_now() + timedelta(minutes=31)):
        started = run_scheduled_jobs()

    assert started == 1
    assert (status_of(due), status_of(later)) == ("pending", "scheduled")
    assert queued_tasks("jobs") == [("process_job", [str(due.id)])]


def test_a_cancelled_scheduled_job_is_not_started(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template(), scheduled_for=utc_now() + timedelta(minutes=30))
    job.job_status = "cancelled"
    db.session.commit()

    with freeze_time(utc_now() + timedelta(hours=1)):
        started = run_scheduled_jobs()

    assert (started, queued_tasks("jobs")) == (0, [])


def test_a_job_in_progress_with_no_batch_for_ten_minutes_is_queued_again(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template())
    job.job_status = "in progress"
    job.updated_at = utc_now()
    db.session.commit()
    redis_queue_before = queued_tasks("jobs")

    with freeze_time(utc_now() + timedelta(minutes=9)):
        assert resume_stalled_jobs() == 0
    with freeze_time(utc_now() + timedelta(minutes=11)):
        assert resume_stalled_jobs() == 1

    assert queued_tasks("jobs") == [*redis_queue_before, ("process_job", [str(job.id)])]


def test_a_pending_job_whose_task_was_lost_is_queued_again(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template())

    with freeze_time(utc_now() + timedelta(minutes=11)):
        queued = resume_stalled_jobs()

    assert queued == 1
    assert queued_tasks("jobs") == [("process_job", [str(job.id)])] * 2


def test_finished_and_scheduled_jobs_are_not_stalled(make_job: Callable[..., Job]) -> None:
    template = create_template()
    make_job(template=template, scheduled_for=utc_now() + timedelta(hours=1))
    finished = make_job(template=template, scheduled_for=utc_now() + timedelta(hours=1))
    finished.job_status = "finished"
    db.session.commit()

    with freeze_time(utc_now() + timedelta(minutes=30)):
        assert resume_stalled_jobs() == 0


def test_stalled_jobs_queued_again_are_counted(
    make_job: Callable[..., Job], installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
) -> None:
    for _ in range(2):
        make_job(template=create_template())

    with freeze_time(utc_now() + timedelta(minutes=11)):
        resume_stalled_jobs()

    counters = [line for line in statsd_listener.receive_all() if ".jobs." in line]
    assert counters == [f"{STATSD_PREFIX}.jobs.stalled:2|c"]


def test_a_run_that_finds_no_stalled_job_counts_nothing(
    make_job: Callable[..., Job], installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
) -> None:
    make_job(template=create_template())

    resume_stalled_jobs()

    assert [line for line in statsd_listener.receive_all() if ".jobs." in line] == []
