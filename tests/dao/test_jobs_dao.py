"""Jobs DAO: where a resumed run starts, idempotent batch inserts, cancelling, starting scheduled jobs."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.clock import utc_now
from app.dao.jobs_dao import (
    dao_cancel_job,
    dao_create_job,
    dao_get_job_resume_row,
    dao_insert_job_notifications,
    dao_start_due_scheduled_jobs,
)
from app.models import Job, Template
from tests.factories import batch_for, create_notification, create_template


def new_job(template: Template, **values: object) -> Job:
    settings: dict[str, object] = {
        "original_file_name": "contacts.csv",
        "service_id": template.service_id,
        "template_id": template.id,
        "template_version": template.version,
        "notification_count": 3,
        "job_status": "pending",
        "_contents": "",
        **values,
    }
    return dao_create_job(Job(**settings))


def test_a_batch_inserts_only_rows_not_there_yet(notify_db_session: None) -> None:
    job = new_job(create_template())
    dao_insert_job_notifications(batch_for(job, [0, 1]))
    again = batch_for(job, [1, 2])

    inserted = dao_insert_job_notifications(again)

    assert inserted == [again.ids[1]]


def test_a_job_without_notifications_starts_at_row_0(notify_db_session: None) -> None:
    assert dao_get_job_resume_row(uuid.uuid4()) == 0


def test_a_job_resumes_after_its_last_row_when_every_row_before_it_is_there(notify_db_session: None) -> None:
    template = create_template()
    job_id = uuid.uuid4()
    for row_number in range(3):
        create_notification(template=template, job_id=job_id, job_row_number=row_number)

    assert dao_get_job_resume_row(job_id) == 3


def test_a_job_with_a_gap_in_its_rows_starts_again_from_row_0(notify_db_session: None) -> None:
    template = create_template()
    job_id = uuid.uuid4()
    for row_number in (0, 2):
        create_notification(template=template, job_id=job_id, job_row_number=row_number)

    assert dao_get_job_resume_row(job_id) == 0


def test_only_a_job_that_has_not_started_is_cancelled(notify_db_session: None) -> None:
    template = create_template()
    pending = new_job(template)
    running = new_job(template, job_status="in progress")

    assert dao_cancel_job(template.service_id, pending.id, now=utc_now()) is not None
    assert dao_cancel_job(template.service_id, running.id, now=utc_now()) is None


def test_another_services_job_is_not_cancelled(notify_db_session: None) -> None:
    job = new_job(create_template())

    assert dao_cancel_job(uuid.uuid4(), job.id, now=utc_now()) is None


def test_due_scheduled_jobs_are_started_up_to_the_limit(notify_db_session: None) -> None:
    template = create_template()
    now = utc_now()
    jobs = [new_job(template, job_status="scheduled", scheduled_for=now - timedelta(minutes=m)) for m in (3, 2, 1)]
    new_job(template, job_status="scheduled", scheduled_for=now + timedelta(minutes=1))

    started = dao_start_due_scheduled_jobs(now=now, limit=2)

    assert started == [jobs[0].id, jobs[1].id]
