"""A row the database cannot store fails alone: the job goes on, never jams on resume, and logs no recipient."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select
from sqlalchemy.exc import DataError

from app.clock import utc_now
from app.dao.jobs_dao import dao_get_job_by_id, dao_insert_job_notifications
from app.dao.statistics_dao import dao_list_job_statistics
from app.extensions import db
from app.jobs.contents import decode_job_contents, encode_job_contents
from app.jobs.process_job import JobRun, process_job
from app.models import Job, Notification
from tests.factories import batch_for, create_template
from tests.jobs.conftest import delivered_ids, phone_rows

# What an old job could hold: stored before cells were checked, a valid number padded with characters PostgreSQL text
# cannot hold (`to` is text since letters: its length alone no longer makes a row unstorable).
PADDED_RECIPIENT = "07700900999" + "\u200b" * 400 + "\x00"
SECRET_NAME = "Personalisation-that-must-not-be-logged"


def with_row_replaced(job: Job, row_number: int, *, to: str, name: str) -> Job:
    """Rewrite the job's stored rows as a job validated before today's bounds would have held them."""
    contents = decode_job_contents(job._contents)
    contents.rows[row_number] = replace(contents.rows[row_number], to=to, values=[name])
    job._contents = encode_job_contents(contents)
    db.session.commit()
    return job


def job_notifications(job: Job) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Notification).where(Notification.job_id == job.id).order_by(Notification.job_row_number)
        ).scalars()
    )


@pytest.fixture
def job_with_an_unstorable_row(make_job: Callable[..., Job], notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> Job:
    monkeypatch.setitem(notify_api.config, "JOB_BATCH_SIZE", 4)
    job = make_job(template=create_template(), rows=phone_rows(10))
    return with_row_replaced(job, 5, to=PADDED_RECIPIENT, name=SECRET_NAME)


def test_the_rows_around_an_unstorable_row_are_all_stored_and_queued(
    job_with_an_unstorable_row: Job, feed_every_waiting_row: Callable[[], int]
) -> None:
    job = job_with_an_unstorable_row

    run = process_job(str(job.id))
    feed_every_waiting_row()

    assert run == JobRun(inserted_count=9, is_finished=True, failed_count=1)
    notifications = job_notifications(job)
    assert [n.job_row_number for n in notifications] == list(range(10))
    sendable = [n for n in notifications if n.job_row_number != 5]
    assert {n.status for n in sendable} == {"created"}
    queued_ids = [notification_id for _, notification_id in delivered_ids("bulk-sms")]
    assert sorted(queued_ids) == sorted(str(n.id) for n in sendable)
    assert dao_get_job_by_id(job.id).job_status == "finished"


def test_the_unstorable_row_is_recorded_as_a_technical_failure_without_its_recipient(
    job_with_an_unstorable_row: Job,
) -> None:
    job = job_with_an_unstorable_row

    process_job(str(job.id))

    failed = job_notifications(job)[5]
    assert (failed.status, failed.to, failed.normalised_to) == ("technical-failure", "", None)
    assert failed.personalisation == {"name": SECRET_NAME}
    statistics = {count.status: count.count for count in dao_list_job_statistics(job.id)}
    assert statistics == {"created": 9, "technical-failure": 1}


def test_a_resumed_job_does_not_meet_the_unstorable_row_again(job_with_an_unstorable_row: Job) -> None:
    job = job_with_an_unstorable_row
    process_job(str(job.id))
    job = dao_get_job_by_id(job.id)
    job.job_status = "in progress"  # as if its worker had died after the last batch
    db.session.commit()

    with freeze_time(utc_now() + timedelta(minutes=11)):
        resumed = process_job(str(job.id))

    assert resumed == JobRun(inserted_count=0, is_finished=True, failed_count=0)
    assert len(job_notifications(job)) == 10


def test_a_refused_batch_logs_no_recipient_or_personalisation(
    job_with_an_unstorable_row: Job, caplog: pytest.LogCaptureFixture
) -> None:
    job = job_with_an_unstorable_row

    with caplog.at_level(logging.DEBUG):
        process_job(str(job.id))

    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "Job" in logged
    assert "could not be stored (DataError)" in logged
    # Whole numbers, never fragments: a random id in a log line can hold any four digits.
    recipients = [f"740{1_000_000 + index:07d}" for index in range(10)]
    for personal_data in (*recipients, "07700900999", SECRET_NAME):
        assert personal_data not in logged
        assert all(personal_data not in repr(vars(record)) for record in caplog.records)


def test_the_database_error_of_a_refused_batch_does_not_carry_its_parameters(
    job_with_an_unstorable_row: Job,
) -> None:
    job = job_with_an_unstorable_row
    batch = replace(
        batch_for(job, [0]),
        tos=[PADDED_RECIPIENT],
        normalised_tos=["447700900999"],
        personalisations=[SECRET_NAME],
    )

    with pytest.raises(DataError) as raised:
        dao_insert_job_notifications(batch)

    assert "cannot contain NUL" in str(raised.value)
    assert PADDED_RECIPIENT not in str(raised.value)
    assert "07700900999" not in str(raised.value)
    assert SECRET_NAME not in str(raised.value)
    assert "447700900999" not in str(raised.value)
    assert job_notifications(job) == []
