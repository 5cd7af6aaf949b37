"""Turn a job's rows into notifications, in batches, exactly once per row however often it runs.

A run first claims the job under a row lock: a `pending` job, a `scheduled` one whose time has come, or an
`in progress` one whose last batch is older than JOB_STALLED_AFTER_MINUTES (its worker died: this run resumes it).
Anything else is left alone, so a duplicate task does nothing. Starting a job takes its share of the day's limits,
all or nothing (else `sending limits exceeded`, nothing sent).

Each batch is one `INSERT ... ON CONFLICT DO NOTHING` of pre-generated ids, committed with the job's progress time;
the unique `(job_id, job_row_number)` makes inserting a row twice impossible, so two runs racing, or a run resuming
after a crash, never duplicate a notification. The rows are not queued here: they wait for the bulk-lane feeder
(app/jobs/bulk_feeder.py), which hands them to the bulk lane in row order and in fair shares with other services'
jobs; each batch starts a feeder run (it does nothing if one is running). A resumed run starts
after the last row inserted, when all rows before it are there.

A letter job's rows are letters exactly as single letters are (postage, 16-character reference, the template's
contact block, a test key's initial status); they never wait for the feeder: each batch's letters are queued for
their PDFs (`create-letters-pdf-tasks`) once committed. A resumed letter job first queues again the PDFs of its
letters still waiting for one, since the run that died may have inserted them without queueing them.

A row the database cannot store (a DataError or IntegrityError, say a value longer than its column in a job
validated before today's bounds) never holds up the rows after it: the refused batch is split in halves, each
inserted the same way, down to the single row that fails. That row is stored as a stand-in without its recipient,
moved to `technical-failure` at once (the service's callback says so), and never sent; the job goes on, so its
statistics count every row and a resumed run finds the row there and never meets it again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import DataError, IntegrityError

from app.clock import utc_now
from app.dao.jobs_dao import (
    JobNotificationBatch,
    dao_finish_job,
    dao_get_job_resume_row,
    dao_insert_job_notifications,
    dao_lock_job,
    dao_mark_job_in_progress,
    dao_mark_job_sending_limits_exceeded,
    dao_release_job_lock,
)
from app.dao.letter_contacts_dao import dao_find_letter_contact_by_id
from app.dao.letter_jobs_dao import dao_list_job_letters_awaiting_pdf
from app.dao.services_dao import (
    dao_get_serialised_service,
)
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.encryption import encryptor
from app.jobs.bulk_feeder import enqueue_feed_bulk_lanes
from app.jobs.contents import decode_job_contents
from app.jobs.daily_allowance import job_limit_shares, reserve_daily_allowance
from app.jobs.row_validation import PreparedRow, PreparedRows
from app.letters.queueing import enqueue_letter_pdf_task
from app.letters.send_letter import create_letter_reference, initial_letter_status
from app.limits.daily import daily_limits_for
from app.models import Job, JobStatus, TemplateHistory, TemplateType
from app.notification_status import NotificationStatus
from app.notifications.senders import choose_reply_to_text
from app.redis_store import redis_client
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimedJob:
    """What processing needs from the job row, read while it was locked."""

    id: uuid.UUID
    service_id: uuid.UUID
    template_id: uuid.UUID
    template_version: int
    notification_type: str
    api_key_id: uuid.UUID | None
    key_type: str
    reply_to_text: str | None
    contents: PreparedRows
    is_resume: bool = False


@dataclass(frozen=True)
class JobRun:
    """What one run did: rows it inserted for the feeder (others were there already), and whether the job is finished;
    rows it could not store, recorded as failed."""

    inserted_count: int
    is_finished: bool
    failed_count: int = 0


def process_job(job_id: str) -> JobRun | None:
    """Claim the job and create its notifications. Returns None when the job was not this run's to process."""
    claimed = claim_job(job_id)
    if claimed is None:
        return None
    inserted_count = failed_count = 0
    if claimed.is_resume and claimed.notification_type == TemplateType.LETTER:
        _queue_letter_pdfs(dao_list_job_letters_awaiting_pdf(claimed.id))
    for batch in _batches(claimed, start_row=dao_get_job_resume_row(claimed.id)):
        inserted = _insert_isolating_unstorable_rows(batch)
        _queue_inserted(batch, inserted.sendable_ids)
        inserted_count += len(inserted.sendable_ids)
        failed_count += inserted.failed_count
    is_finished = dao_finish_job(claimed.id, now=utc_now())
    logger.info(
        "Job %s processed: %s notifications created by this run, %s rows failed",
        claimed.id,
        inserted_count,
        failed_count,
        extra={"job_id": str(claimed.id), "service_id": str(claimed.service_id), "notification_count": inserted_count},
    )
    return JobRun(inserted_count=inserted_count, is_finished=is_finished, failed_count=failed_count)


def _queue_inserted(batch: JobNotificationBatch, notification_ids: list[uuid.UUID]) -> None:
    if batch.is_letter:
        _queue_letter_pdfs(notification_ids)
    else:
        enqueue_feed_bulk_lanes()


def _queue_letter_pdfs(notification_ids: list[uuid.UUID]) -> None:
    for notification_id in notification_ids:
        enqueue_letter_pdf_task(notification_id)


def claim_job(job_id: str) -> ClaimedJob | None:
    """Lock the job and claim it if it is this run's to start or resume; see the module docstring."""
    now = utc_now()
    job = dao_lock_job(job_id)
    if job is None:
        dao_release_job_lock()
        logger.warning("Job %s not found", job_id, extra={"job_id": job_id})
        return None
    is_resume = job.job_status == JobStatus.IN_PROGRESS
    if not _can_claim(job, now):
        status = job.job_status
        dao_release_job_lock()
        logger.info("Job %s is %s: nothing to do", job_id, status, extra={"job_id": job_id, "job_status": status})
        return None
    claimed = replace(_read_claimed_job(job), is_resume=is_resume)
    if not is_resume and not _reserve_daily_allowance(claimed):
        dao_mark_job_sending_limits_exceeded(job, now=now)
        logger.info(
            "Job %s exceeds the daily limit: nothing sent",
            job_id,
            extra={"job_id": job_id, "service_id": str(claimed.service_id)},
        )
        return None
    dao_mark_job_in_progress(job, now=now)
    if is_resume:
        logger.warning("Resuming stalled job %s", job_id, extra={"job_id": job_id})
    return claimed


def _can_claim(job: Job, now: datetime) -> bool:
    if job.job_status == JobStatus.PENDING:
        return True
    if job.job_status == JobStatus.SCHEDULED:
        return job.scheduled_for is not None and job.scheduled_for <= now
    if job.job_status == JobStatus.IN_PROGRESS:
        stalled_after = timedelta(minutes=current_app.config["JOB_STALLED_AFTER_MINUTES"])
        return (job.updated_at or job.created_at) <= now - stalled_after
    return False


def _read_claimed_job(job: Job) -> ClaimedJob:
    template = dao_get_template_history_by_id_and_version(job.template_id, job.template_version)
    return ClaimedJob(
        id=job.id,
        service_id=job.service_id,
        template_id=job.template_id,
        template_version=job.template_version,
        notification_type=template.template_type,
        api_key_id=job.api_key_id,
        key_type=job.key_type,
        reply_to_text=_reply_to_text(job, template),
        contents=decode_job_contents(job._contents),
    )


def _reply_to_text(job: Job, template: TemplateHistory) -> str | None:
    """Who the rows are from; a letter's is the template's contact block, as a single letter's is."""
    if template.template_type == TemplateType.LETTER:
        if template.service_letter_contact_id is None:
            return None
        contact = dao_find_letter_contact_by_id(job.service_id, template.service_letter_contact_id)
        return contact.contact_block if contact is not None else None
    return choose_reply_to_text(
        job.service_id, template.template_type, job.reply_to_id, default_sms_sender=current_app.config["FROM_NUMBER"]
    )


def _reserve_daily_allowance(claimed: ClaimedJob) -> bool:
    service = dao_get_serialised_service(claimed.service_id)
    shares = job_limit_shares(
        daily_limits_for(service, trial_daily_limit=current_app.config["TRIAL_DAILY_LIMIT"]),
        notification_type=claimed.notification_type,
        key_type=claimed.key_type,
        row_count=len(claimed.contents.rows),
        international_count=claimed.contents.international_count,
    )
    refused = reserve_daily_allowance(redis_client(), claimed.service_id, shares, day=utc_now().date())
    return refused is None


def _batches(claimed: ClaimedJob, *, start_row: int) -> Iterator[JobNotificationBatch]:
    batch_size = current_app.config["JOB_BATCH_SIZE"]
    row_count = len(claimed.contents.rows)
    for batch_start in range(start_row, row_count, batch_size):
        yield _batch(claimed, range(batch_start, min(batch_start + batch_size, row_count)))


def _batch(claimed: ClaimedJob, row_numbers: range) -> JobNotificationBatch:
    rows = [claimed.contents.rows[row_number] for row_number in row_numbers]
    columns = claimed.contents.columns
    encrypt_json = encryptor().encrypt_json
    return JobNotificationBatch(
        job_id=claimed.id,
        service_id=claimed.service_id,
        template_id=claimed.template_id,
        template_version=claimed.template_version,
        api_key_id=claimed.api_key_id,
        key_type=claimed.key_type,
        notification_type=claimed.notification_type,
        reply_to_text=claimed.reply_to_text,
        created_at=utc_now(),
        ids=[uuid.uuid4() for _ in rows],
        row_numbers=list(row_numbers),
        tos=[row.to for row in rows],
        normalised_tos=[row.normalised_to for row in rows],
        internationals=[row.is_international for row in rows],
        phone_prefixes=[row.phone_prefix for row in rows],
        rate_multipliers=[row.rate_multiplier for row in rows],
        personalisations=[encrypt_json(dict(zip(columns, row.values, strict=True))) for row in rows],
        recipient_search_key=current_app.config["RECIPIENT_SEARCH_KEY"],
        **_letter_fields(claimed, rows),
    )


def _letter_fields(claimed: ClaimedJob, rows: list[PreparedRow]) -> dict[str, Any]:
    if claimed.notification_type != TemplateType.LETTER:
        return {}
    return {
        "postages": [row.postage for row in rows],
        "references": [create_letter_reference() for _ in rows],
        "initial_status": initial_letter_status(
            claimed.key_type, fake_test_delivery=current_app.config["TEST_LETTERS_FAKE_DELIVERY"]
        ),
    }


@dataclass(frozen=True)
class _InsertedRows:
    sendable_ids: list[uuid.UUID]
    failed_count: int = 0

    def __add__(self, other: _InsertedRows) -> _InsertedRows:
        return _InsertedRows(self.sendable_ids + other.sendable_ids, self.failed_count + other.failed_count)


def _insert_isolating_unstorable_rows(batch: JobNotificationBatch) -> _InsertedRows:
    """Insert the batch; if the database refuses it, insert each half the same way, so only a row that cannot be
    stored fails (recorded by _record_unstorable_row). A refusal that is not about one row (the stand-in fails too)
    propagates."""
    try:
        return _InsertedRows(dao_insert_job_notifications(batch))
    except (DataError, IntegrityError) as error:
        refusal = type(error).__name__
    row_count = len(batch.ids)
    if row_count == 1:
        return _record_unstorable_row(batch, refusal)
    middle = row_count // 2
    return _insert_isolating_unstorable_rows(batch.part(0, middle)) + _insert_isolating_unstorable_rows(
        batch.part(middle, row_count)
    )


def _record_unstorable_row(row: JobNotificationBatch, refusal: str) -> _InsertedRows:
    """Store a one-row batch the database refused as a stand-in without the values that can fail (recipient and
    billing facts; the personalisation is an encrypted token, always storable) and fail it for good."""
    stand_in = replace(row, tos=[""], normalised_tos=[None], phone_prefixes=[None], rate_multipliers=[None])
    inserted_ids = dao_insert_job_notifications(stand_in)
    job_row_number = row.row_numbers[0]
    for notification_id in inserted_ids:
        log = ChangeLog(
            "Job %s row %s could not be stored (%s): notification %s failed, the job goes on",
            (row.job_id, job_row_number, refusal, notification_id),
            level=logging.ERROR,
            fields={
                "job_id": str(row.job_id),
                "job_row_number": job_row_number,
                "notification_id": str(notification_id),
            },
        )
        change_status(
            notification_id, NotificationStatus.TECHNICAL_FAILURE, only_from=[NotificationStatus.CREATED], log=log
        )
    return _InsertedRows([], failed_count=len(inserted_ids))
