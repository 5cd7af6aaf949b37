"""Jobs: store, claim for processing, insert their notifications in idempotent batches, finish, cancel, archive."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause, and_, delete, func, or_, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from app.dao.row_picking import picked_once
from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import AWAITING_FEED_SQL, Job, JobStatus, KeyType, Notification, Template
from app.recipients.search_hash import recipient_search_hash
from app.statsd_decorators import statsd

FINAL_JOB_STATUSES = (
    JobStatus.FINISHED,
    JobStatus.SENDING_LIMITS_EXCEEDED,
    JobStatus.CANCELLED,
    JobStatus.ERROR,
)
CANCELLABLE_JOB_STATUSES = (JobStatus.PENDING, JobStatus.SCHEDULED)


def dao_create_job(job: Job) -> Job:
    db.session.add(job)
    db.session.commit()
    return job


def dao_count_scheduled_job_rows(
    service_id: uuid.UUID, template_type: str, *, scheduled_from: datetime, scheduled_before: datetime
) -> int:
    """Rows of the service's counted (not test-key) jobs of this template type scheduled in the given window and
    not started yet."""
    return db.session.execute(
        select(func.coalesce(func.sum(Job.notification_count), 0))
        .join(Template, Template.id == Job.template_id)
        .where(
            Job.service_id == service_id,
            Job.job_status == JobStatus.SCHEDULED,
            Job.key_type != KeyType.TEST,
            Job.scheduled_for >= scheduled_from,
            Job.scheduled_for < scheduled_before,
            Template.template_type == template_type,
        )
    ).scalar_one()


def dao_delete_job_by_id(job_id: uuid.UUID) -> None:
    db.session.execute(delete(Job).where(Job.id == job_id))
    db.session.commit()


def dao_get_job_by_id(job_id: uuid.UUID | str) -> Job:
    return db.session.execute(select(Job).where(Job.id == job_id)).scalar_one()


def dao_get_job_by_id_for_service(service_id: uuid.UUID | str, job_id: uuid.UUID | str) -> Job:
    return db.session.execute(select(Job).where(Job.id == job_id, Job.service_id == service_id)).scalar_one()


def dao_lock_job(job_id: uuid.UUID | str) -> Job | None:
    """Read the job with a row lock (SELECT ... FOR UPDATE) and leave the transaction open: the caller decides, then
    commits (through one of the dao_mark_job_* functions) or rolls back. Two claimers of one job queue up here."""
    return db.session.execute(
        select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()


def dao_release_job_lock() -> None:
    db.session.rollback()


def dao_mark_job_in_progress(job: Job, *, now: datetime) -> Job:
    """Claim a locked job for processing (or for resuming it); commits, which releases the lock."""
    job.job_status = JobStatus.IN_PROGRESS
    job.processing_started = job.processing_started or now
    job.updated_at = now
    db.session.commit()
    return job


def dao_mark_job_sending_limits_exceeded(job: Job, *, now: datetime) -> Job:
    """Stop a locked job whose rows are more than the day's remaining allowance; commits."""
    job.job_status = JobStatus.SENDING_LIMITS_EXCEEDED
    job.processing_finished = now
    job.updated_at = now
    db.session.commit()
    return job


@dataclass(frozen=True)
class JobNotificationBatch:
    """Consecutive rows of one job to insert as notifications: the values they share, then one list per column."""

    job_id: uuid.UUID
    service_id: uuid.UUID
    template_id: uuid.UUID
    template_version: int
    api_key_id: uuid.UUID | None
    key_type: str
    notification_type: str
    reply_to_text: str | None
    created_at: datetime
    ids: list[uuid.UUID]
    row_numbers: list[int]
    tos: list[str]
    normalised_tos: list[str | None]
    internationals: list[bool]
    phone_prefixes: list[str | None]
    rate_multipliers: list[int | None]
    personalisations: list[str]  # encrypted
    recipient_search_key: str  # RECIPIENT_SEARCH_KEY: each row's recipient_hash is taken under it
    # Letters: each row's postage and 16-character reference, and the status they start in (a test key's letter
    # starts `sending` or `delivered`). Letter rows never wait for the bulk-lane feeder: their PDFs are queued.
    postages: list[str | None] | None = None
    references: list[str | None] | None = None
    initial_status: str = "created"

    @property
    def is_letter(self) -> bool:
        return self.notification_type == "letter"

    def part(self, start: int, stop: int) -> JobNotificationBatch:
        """The rows from ``start`` up to ``stop`` (positions in this batch) as a batch of their own."""
        return replace(
            self,
            ids=self.ids[start:stop],
            row_numbers=self.row_numbers[start:stop],
            tos=self.tos[start:stop],
            normalised_tos=self.normalised_tos[start:stop],
            internationals=self.internationals[start:stop],
            phone_prefixes=self.phone_prefixes[start:stop],
            rate_multipliers=self.rate_multipliers[start:stop],
            personalisations=self.personalisations[start:stop],
            postages=None if self.postages is None else self.postages[start:stop],
            references=None if self.references is None else self.references[start:stop],
        )


# One statement per batch with one array parameter per column that varies: the statement text stays the same size
# whatever the batch size (a multi-row VALUES list makes the driver parse tens of thousands of placeholders).
def _insert_job_notifications(next_attempt_at_sql: str) -> TextClause:
    return text(
        f"""
        INSERT INTO notifications (
            id, job_row_number, "to", normalised_to, international, phone_prefix, rate_multiplier, personalisation,
            recipient_hash, postage, reference, job_id, service_id, template_id, template_version, api_key_id,
            key_type, notification_type, reply_to_text, created_at, notification_status, updated_at, billable_units,
            next_attempt_at
        )
        SELECT batch_row.*, :job_id, :service_id, :template_id, :template_version, :api_key_id, :key_type,
            :notification_type, :reply_to_text, CAST(:created_at AS timestamptz), CAST(:initial_status AS text),
            CASE WHEN CAST(:initial_status AS text) = 'created' THEN NULL ELSE CAST(:created_at AS timestamptz) END,
            0, {next_attempt_at_sql}
        FROM unnest(
            CAST(:ids AS uuid[]), CAST(:row_numbers AS integer[]), CAST(:tos AS text[]),
            CAST(:normalised_tos AS text[]), CAST(:internationals AS boolean[]), CAST(:phone_prefixes AS text[]),
            CAST(:rate_multipliers AS integer[]), CAST(:personalisations AS text[]),
            CAST(:recipient_hashes AS text[]), CAST(:postages AS text[]), CAST(:references AS text[])
        ) AS batch_row
        ON CONFLICT DO NOTHING
        RETURNING id
        """
    )


_INSERT_JOB_NOTIFICATIONS = _insert_job_notifications(AWAITING_FEED_SQL)
# A letter row is never fed to a delivery lane (its PDF is queued instead), so nothing marks it as waiting for one.
_INSERT_JOB_LETTERS = _insert_job_notifications("NULL")


@statsd(namespace="dao")
def dao_insert_job_notifications(batch: JobNotificationBatch) -> list[uuid.UUID]:
    """Insert a batch of a job's notifications (status `created`, waiting for the bulk-lane feeder; letters in their
    initial status, for their PDFs to be queued), skipping rows
    already there (unique `(job_id, job_row_number)`), and note the job's progress time; commits. Returns the ids
    this call inserted. When the database refuses the batch
    (a value it cannot store) the transaction is rolled back, nothing is inserted, and the error propagates."""
    try:
        statement = _INSERT_JOB_LETTERS if batch.is_letter else _INSERT_JOB_NOTIFICATIONS
        inserted = db.session.execute(statement, _insert_parameters(batch)).scalars().all()
        db.session.execute(
            update(Job)
            .where(Job.id == batch.job_id)
            .values(updated_at=batch.created_at)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        raise
    return list(inserted)


def _insert_parameters(batch: JobNotificationBatch) -> dict[str, Any]:
    no_values = [None] * len(batch.ids)
    parameters = vars(batch) | {
        "recipient_hashes": [recipient_search_hash(batch.recipient_search_key, to) for to in batch.normalised_tos],
        "postages": no_values if batch.postages is None else batch.postages,
        "references": no_values if batch.references is None else batch.references,
    }
    del parameters["recipient_search_key"]
    return parameters


@statsd(namespace="dao")
def dao_get_job_resume_row(job_id: uuid.UUID) -> int:
    """The first row a resumed run must insert: the one after the last inserted row when every row before it is
    there (one run inserts its batches in order), else 0 (go over everything again; inserted rows are skipped)."""
    count, last_row = db.session.execute(
        select(func.count(), func.max(Notification.job_row_number)).where(Notification.job_id == job_id)
    ).one()
    if last_row is None or count != last_row + 1:
        return 0
    return int(last_row) + 1


def dao_finish_job(job_id: uuid.UUID, *, now: datetime) -> bool:
    """Mark an `in progress` job finished; False when it was not in progress any more. Commits."""
    finished = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.job_status == JobStatus.IN_PROGRESS)
        .values(job_status=JobStatus.FINISHED, processing_finished=now, updated_at=now)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.commit()
    return finished is not None


def dao_cancel_job(service_id: uuid.UUID | str, job_id: uuid.UUID | str, *, now: datetime) -> Job | None:
    """Cancel a job that has not started (`pending` or `scheduled`); None when it had. Commits."""
    cancelled = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.service_id == service_id, Job.job_status.in_(CANCELLABLE_JOB_STATUSES))
        .values(job_status=JobStatus.CANCELLED, updated_at=now)
        .returning(Job)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    db.session.commit()
    return cancelled


def dao_start_due_scheduled_jobs(*, now: datetime, limit: int) -> list[uuid.UUID]:
    """Move up to ``limit`` scheduled jobs whose time has come to `pending`; return their ids. Commits."""
    due = (
        select(Job.id)
        .where(Job.job_status == JobStatus.SCHEDULED, Job.scheduled_for <= now)
        .order_by(Job.scheduled_for)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    started = db.session.execute(
        update(Job)
        .where(Job.id.in_(picked_once(due)), Job.job_status == JobStatus.SCHEDULED)
        .values(job_status=JobStatus.PENDING, updated_at=now)
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    ids = list(started)
    db.session.commit()
    return ids


def dao_list_stalled_job_ids(*, untouched_since: datetime, limit: int) -> list[uuid.UUID]:
    """Jobs nobody is working on: `in progress` with no batch finished since ``untouched_since`` (its worker died),
    or `pending` since then (its process_job task was lost or is stuck behind others)."""
    last_touched = func.coalesce(Job.updated_at, Job.created_at)
    return list(
        db.session.execute(
            select(Job.id)
            .where(
                or_(
                    and_(Job.job_status == JobStatus.IN_PROGRESS, last_touched < untouched_since),
                    and_(Job.job_status == JobStatus.PENDING, last_touched < untouched_since),
                )
            )
            .order_by(Job.created_at)
            .limit(limit)
        ).scalars()
    )


def dao_archive_jobs_created_before(service_id: uuid.UUID, *, created_before: datetime, now: datetime) -> int:
    """Archive a service's finished jobs created before ``created_before`` and drop their rows (personal data).
    Returns how many were archived. Commits."""
    archived = db.session.execute(
        update(Job)
        .where(
            Job.service_id == service_id,
            Job.created_at < created_before,
            Job.archived.is_(False),
            Job.job_status.in_(FINAL_JOB_STATUSES),
        )
        .values(archived=True, _contents="", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_changed(archived)
