"""Beat's part in jobs: start scheduled jobs when their time comes, and queue again jobs nobody is working on."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from app.clients.statsd_client import get_statsd_client
from app.clock import utc_now
from app.dao.jobs_dao import dao_list_stalled_job_ids, dao_start_due_scheduled_jobs
from app.jobs.queueing import enqueue_process_job

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


def run_scheduled_jobs() -> int:
    """Move every scheduled job that is due to `pending` and queue it; return how many were started.

    If queueing one fails, it stays `pending` and `resume_stalled_jobs` queues it again later.
    """
    started = 0
    while True:
        job_ids = dao_start_due_scheduled_jobs(now=utc_now(), limit=BATCH_SIZE)
        for job_id in job_ids:
            enqueue_process_job(job_id)
            logger.info("Started scheduled job %s", job_id, extra={"job_id": str(job_id)})
        started += len(job_ids)
        if len(job_ids) < BATCH_SIZE:
            return started


def resume_stalled_jobs() -> int:
    """Queue process_job again for jobs untouched for JOB_STALLED_AFTER_MINUTES: `in progress` ones resume from their
    last row, `pending` ones (a lost task) start. Running again while the task waits in the queue is harmless: only
    one run can claim the job. Counts them as `jobs.stalled`. Returns how many were queued."""
    untouched_since = utc_now() - timedelta(minutes=current_app.config["JOB_STALLED_AFTER_MINUTES"])
    job_ids = dao_list_stalled_job_ids(untouched_since=untouched_since, limit=BATCH_SIZE)
    for job_id in job_ids:
        enqueue_process_job(job_id)
        logger.warning("Queued stalled job %s again", job_id, extra={"job_id": str(job_id)})
    if job_ids:
        get_statsd_client().incr("jobs.stalled", len(job_ids))
    return len(job_ids)
