"""Job tasks: process one job and feed the bulk lanes (queue `jobs`), and beat's start of scheduled jobs and
resumption of stalled ones."""

from __future__ import annotations

from celery import shared_task

from app.celery.queues import TaskNames
from app.jobs import bulk_feeder, scheduled_jobs
from app.jobs import process_job as processing
from app.statsd_decorators import statsd


@shared_task(name=TaskNames.PROCESS_JOB)
@statsd(namespace="tasks")
def process_job(job_id: str) -> None:
    """Create the job's notifications for the bulk-lane feeder; does nothing unless it can claim the job."""
    processing.process_job(job_id)


@shared_task(name=TaskNames.FEED_BULK_LANES)
@statsd(namespace="tasks")
def feed_bulk_lanes() -> int | None:
    """Hand waiting job rows to the bulk lanes for a while; does nothing while another feeder runs."""
    return bulk_feeder.run_bulk_feeder()


@shared_task(name=TaskNames.RUN_SCHEDULED_JOBS)
@statsd(namespace="tasks")
def run_scheduled_jobs() -> int:
    return scheduled_jobs.run_scheduled_jobs()


@shared_task(name=TaskNames.RESUME_STALLED_JOBS)
@statsd(namespace="tasks")
def resume_stalled_jobs() -> int:
    return scheduled_jobs.resume_stalled_jobs()
