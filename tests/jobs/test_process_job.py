"""process_job: one notification per row, in batches, never twice, resumable, within the daily limits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select

from app.clock import utc_now
from app.dao import jobs_dao
from app.dao.jobs_dao import JobNotificationBatch, dao_get_job_by_id
from app.extensions import db
from app.jobs.process_job import JobRun, process_job
from app.models import Job, Notification
from tests.factories import create_email_reply_to, create_service, create_sms_sender, create_template
from tests.jobs.conftest import delivered_ids, delivery_tasks, phone_rows, queued_tasks

AWAITING_FEED_AT = datetime(9999, 12, 31, tzinfo=UTC)


def job_notifications(job: Job) -> list[Notification]:
    return list(
        db.session.execute(
            select(Notification).where(Notification.job_id == job.id).order_by(Notification.job_row_number)
        ).scalars()
    )


def notification_count(job: Job) -> int:
    return db.session.execute(select(func.count()).where(Notification.job_id == job.id)).scalar_one()


def fresh_job(job: Job) -> Job:
    db.session.expire_all()
    return dao_get_job_by_id(job.id)


@pytest.fixture
def batches_of(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    def set_batch_size(size: int) -> None:
        monkeypatch.setitem(notify_api.config, "JOB_BATCH_SIZE", size)

    return set_batch_size


def test_each_row_becomes_a_created_notification(make_job: Callable[..., Job]) -> None:
    template = create_template()
    job = make_job(template=template, rows=[["phone number", "name"], ["07700 900123", "Jo"], ["07700900456", "Sam"]])

    process_job(str(job.id))

    notifications = job_notifications(job)
    assert [(n.job_row_number, n.to, n.normalised_to, n.personalisation) for n in notifications] == [
        (0, "+447700900123", "447700900123", {"name": "Jo"}),
        (1, "+447700900456", "447700900456", {"name": "Sam"}),
    ]
    first = notifications[0]
    assert (first.status, first.notification_type, first.key_type) == ("created", "sms", "normal")
    assert (first.template_id, first.template_version, first.service_id) == (
        template.id,
        template.version,
        template.service_id,
    )
    assert (first.international, first.phone_prefix, first.rate_multiplier) == (False, "44", 1)


def test_the_job_finishes_with_its_processing_times(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template())

    run = process_job(str(job.id))

    job = fresh_job(job)
    assert run == JobRun(inserted_count=3, is_finished=True)
    assert job.job_status == "finished"
    assert job.processing_started is not None
    assert job.processing_finished is not None


def test_the_rows_wait_for_the_bulk_lane_feeder_which_is_started(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template())

    process_job(str(job.id))

    assert {notification.next_attempt_at for notification in job_notifications(job)} == {AWAITING_FEED_AT}
    assert queued_tasks("jobs")[-1] == ("feed_bulk_lanes", [])
    assert delivery_tasks("bulk-sms") == delivery_tasks("send-sms") == []


def test_each_notification_is_fed_to_the_bulk_sms_lane(
    make_job: Callable[..., Job], feed_every_waiting_row: Callable[[], int]
) -> None:
    job = make_job(template=create_template())
    process_job(str(job.id))

    feed_every_waiting_row()

    expected = [("deliver_sms_batch", [[str(notification.id) for notification in job_notifications(job)]])]
    assert delivery_tasks("bulk-sms") == expected


def test_email_notifications_are_fed_to_the_bulk_email_lane(
    make_job: Callable[..., Job], feed_every_waiting_row: Callable[[], int]
) -> None:
    template = create_template(template_type="email")
    job = make_job(template=template, rows=[["email address", "name", "ref"], ["jo@example.com", "Jo", "A1"]])
    process_job(str(job.id))

    feed_every_waiting_row()

    (notification,) = job_notifications(job)
    assert (notification.to, notification.personalisation) == ("jo@example.com", {"name": "Jo", "ref": "A1"})
    assert delivery_tasks("bulk-email") == [("deliver_email_batch", [[str(notification.id)]])]


def test_a_test_key_job_is_fed_to_research_mode(
    make_job: Callable[..., Job], feed_every_waiting_row: Callable[[], int]
) -> None:
    job = make_job(template=create_template(), key_type="test")
    process_job(str(job.id))

    feed_every_waiting_row()

    assert len(delivered_ids("research-mode")) == 3
    assert delivery_tasks("bulk-sms") == []


def test_the_chosen_sms_sender_is_the_reply_to_text(make_job: Callable[..., Job]) -> None:
    service = create_service()
    create_sms_sender(service=service, sms_sender="DEFAULT", is_default=True)
    chosen = create_sms_sender(service=service, sms_sender="CHOSEN", is_default=False)
    job = make_job(template=create_template(service=service), reply_to_id=chosen.id)

    process_job(str(job.id))

    assert {notification.reply_to_text for notification in job_notifications(job)} == {"CHOSEN"}


def test_without_a_choice_the_default_email_reply_to_is_used(make_job: Callable[..., Job]) -> None:
    service = create_service()
    create_email_reply_to(service=service, email_address="help@example.com")
    template = create_template(service=service, template_type="email")
    job = make_job(template=template, rows=[["email address", "name", "ref"], ["jo@example.com", "Jo", "A1"]])

    process_job(str(job.id))

    assert [notification.reply_to_text for notification in job_notifications(job)] == ["help@example.com"]


def test_a_second_run_does_nothing(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template())
    process_job(str(job.id))

    second_run = process_job(str(job.id))

    assert second_run is None
    assert notification_count(job) == 3


@pytest.mark.parametrize("status", ["cancelled", "finished", "sending limits exceeded", "error"])
def test_a_job_that_is_over_is_not_processed(make_job: Callable[..., Job], status: str) -> None:
    job = make_job(template=create_template())
    job.job_status = status
    db.session.commit()

    assert process_job(str(job.id)) is None
    assert notification_count(job) == 0


def test_a_scheduled_job_is_not_processed_before_its_time(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template(), scheduled_for=utc_now() + timedelta(hours=1))

    assert process_job(str(job.id)) is None
    assert fresh_job(job).job_status == "scheduled"


def test_a_scheduled_job_is_processed_once_its_time_has_come(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template(), scheduled_for=utc_now() + timedelta(hours=1))

    with freeze_time(utc_now() + timedelta(hours=1, seconds=1)):
        process_job(str(job.id))

    assert fresh_job(job).job_status == "finished"
    assert notification_count(job) == 3


def test_an_unknown_job_is_ignored(notify_db_session: None) -> None:
    assert process_job("6b8bd9a4-41a4-4e43-9d4c-5a3b3b1e9e1f") is None


def test_a_job_over_the_daily_limit_sends_nothing(make_job: Callable[..., Job]) -> None:
    service = create_service(sms_message_limit=5)
    job = make_job(template=create_template(service=service), rows=phone_rows(4))
    other = make_job(template=create_template(service=service), rows=phone_rows(2))
    process_job(str(job.id))

    process_job(str(other.id))

    other = fresh_job(other)
    assert (other.job_status, other.processing_finished is not None) == ("sending limits exceeded", True)
    assert notification_count(other) == 0


def test_a_job_takes_its_rows_from_todays_counters(make_job: Callable[..., Job], notify_api: Flask) -> None:
    service = create_service(sms_message_limit=100, international_sms_message_limit=10)
    rows = [["phone number", "name"], ["07700900123", "Jo"], ["+1 202 555 0123", "Sam"], ["07700900456", "Al"]]
    job = make_job(template=create_template(service=service), rows=rows)

    process_job(str(job.id))

    redis = notify_api.extensions["redis"]
    today = utc_now().strftime("%Y-%m-%d")
    assert redis.get(f"{service.id}-sms-{today}-count") == b"3"
    assert redis.get(f"{service.id}-international_sms-{today}-count") == b"1"


def test_a_test_key_job_is_not_counted(make_job: Callable[..., Job], notify_api: Flask) -> None:
    service = create_service(sms_message_limit=1)
    job = make_job(template=create_template(service=service), rows=phone_rows(3), key_type="test")

    process_job(str(job.id))

    assert fresh_job(job).job_status == "finished"
    assert notification_count(job) == 3


def test_a_10000_row_job_processed_twice_at_once_has_exactly_10000_notifications(
    notify_api: Flask,
    make_job: Callable[..., Job],
    batches_of: Callable[[int], None],
    monkeypatch: pytest.MonkeyPatch,
    feed_every_waiting_row: Callable[[], int],
) -> None:
    # A negative stall window makes every job in progress look stalled, so the second run takes the job over while
    # the first is still inserting: both really insert the same rows at the same time.
    monkeypatch.setitem(notify_api.config, "JOB_STALLED_AFTER_MINUTES", -1)
    batches_of(1000)
    job = make_job(template=create_template(), rows=phone_rows(10_000))
    start = threading.Barrier(2)
    runs: list[Any] = []

    def run() -> None:
        with notify_api.app_context():
            start.wait()
            runs.append(process_job(str(job.id)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert notification_count(job) == 10_000
    assert len(runs) == 2
    assert all(runs)
    assert sum(run.inserted_count for run in runs if run) == 10_000
    assert feed_every_waiting_row() == 10_000
    queued_ids = [notification_id for _, notification_id in delivered_ids("bulk-sms")]
    assert len(queued_ids) == len(set(queued_ids)) == 10_000
    assert fresh_job(job).job_status == "finished"


def test_a_job_killed_halfway_resumes_from_its_last_row_without_duplicates(
    make_job: Callable[..., Job], batches_of: Callable[[int], None], feed_every_waiting_row: Callable[[], int]
) -> None:
    batches_of(1000)
    job = make_job(template=create_template(), rows=phone_rows(10_000))
    real_insert = jobs_dao.dao_insert_job_notifications
    first_rows: list[int] = []

    def insert_three_batches_then_die(batch: JobNotificationBatch) -> list[Any]:
        if len(first_rows) == 3:
            raise SystemExit("worker killed")
        first_rows.append(batch.row_numbers[0])
        return real_insert(batch)

    with (
        patch("app.jobs.process_job.dao_insert_job_notifications", insert_three_batches_then_die),
        pytest.raises(SystemExit),
    ):
        process_job(str(job.id))
    db.session.rollback()
    assert (fresh_job(job).job_status, notification_count(job)) == ("in progress", 3000)

    def record_first_rows(batch: JobNotificationBatch) -> list[Any]:
        first_rows.append(batch.row_numbers[0])
        return real_insert(batch)

    with (
        freeze_time(utc_now() + timedelta(minutes=11)),
        patch("app.jobs.process_job.dao_insert_job_notifications", record_first_rows),
    ):
        resumed = process_job(str(job.id))

    assert first_rows == list(range(0, 10_000, 1000))
    assert resumed is not None
    assert resumed.inserted_count == 7000
    assert notification_count(job) == 10_000
    assert feed_every_waiting_row() == 10_000
    queued_ids = [notification_id for _, notification_id in delivered_ids("bulk-sms")]
    assert len(queued_ids) == len(set(queued_ids)) == 10_000
    assert fresh_job(job).job_status == "finished"


def test_a_job_in_progress_is_not_resumed_before_the_stall_window(
    make_job: Callable[..., Job],
) -> None:
    job = make_job(template=create_template())
    job.job_status = "in progress"
    job.updated_at = utc_now()
    db.session.commit()

    with freeze_time(utc_now() + timedelta(minutes=9)):
        run = process_job(str(job.id))

    assert run is None
    assert notification_count(job) == 0


def test_a_resumed_job_is_not_counted_against_the_limit_again(make_job: Callable[..., Job], notify_api: Flask) -> None:
    service = create_service(sms_message_limit=3)
    job = make_job(template=create_template(service=service), rows=phone_rows(3))
    process_job(str(job.id))
    job = fresh_job(job)
    job.job_status = "in progress"
    db.session.commit()

    with freeze_time(utc_now() + timedelta(minutes=11)):
        process_job(str(job.id))

    today = utc_now().strftime("%Y-%m-%d")
    assert notify_api.extensions["redis"].get(f"{service.id}-sms-{today}-count") == b"3"
    assert fresh_job(job).job_status == "finished"
