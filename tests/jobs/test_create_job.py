"""Creating a job: checked template and sender, every row valid, stored encrypted, then queued unless scheduled."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from unittest.mock import patch

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select

from app.clock import utc_now
from app.dao.services_dao import dao_get_serialised_service
from app.errors import BadRequestError, TooManyRequestsError
from app.extensions import db
from app.jobs.contents import decode_job_contents
from app.jobs.create_job import JobRequest, JobSender, create_job
from app.jobs.errors import JobFileError
from app.models import Job
from tests.factories import create_email_reply_to, create_service, create_sms_sender, create_template
from tests.jobs.conftest import phone_rows, queued_tasks


def job_count() -> int:
    return db.session.execute(select(func.count()).select_from(Job)).scalar_one()


def test_a_job_to_send_now_is_stored_pending_and_queued(make_job: Callable[..., Job]) -> None:
    template = create_template()

    job = make_job(template=template, rows=phone_rows(3), name="May reminders.csv")

    assert (job.job_status, job.notification_count, job.original_file_name) == ("pending", 3, "May reminders.csv")
    assert (job.template_id, job.template_version) == (template.id, template.version)
    assert queued_tasks("jobs") == [("process_job", [str(job.id)])]


def test_the_rows_are_stored_encrypted(make_job: Callable[..., Job]) -> None:
    job = make_job(template=create_template(), rows=[["phone number", "name"], ["07700900123", "Jo"]])

    assert "07700900123" not in job._contents
    assert decode_job_contents(job._contents).rows[0].values == ["Jo"]


def test_a_scheduled_job_is_stored_scheduled_and_not_queued(make_job: Callable[..., Job]) -> None:
    scheduled_for = utc_now() + timedelta(hours=5)

    job = make_job(template=create_template(), scheduled_for=scheduled_for)

    assert (job.job_status, job.scheduled_for) == ("scheduled", scheduled_for)
    assert queued_tasks("jobs") == []


def test_a_file_with_a_bad_row_creates_nothing(make_job: Callable[..., Job]) -> None:
    rows = phone_rows(10)
    rows[6][0] = "020 7946 0000"

    with pytest.raises(JobFileError) as raised:
        make_job(template=create_template(), rows=rows)

    assert raised.value.messages() == ["Row 7: phone number: Not a UK mobile number"]
    assert (job_count(), queued_tasks("jobs")) == (0, [])


def test_a_template_of_another_service_is_not_found(make_job: Callable[..., Job]) -> None:
    template = create_template()
    other_service_template = create_template()
    request = JobRequest(name="x", template_id=other_service_template.id, rows=phone_rows(1))

    with pytest.raises(BadRequestError) as raised:
        create_job(request, JobSender(service=dao_get_serialised_service(template.service_id)))

    assert raised.value.message == "Template not found"


def test_an_archived_template_has_been_deleted(make_job: Callable[..., Job]) -> None:
    template = create_template()
    template.archived = True
    db.session.commit()

    with pytest.raises(BadRequestError) as raised:
        make_job(template=template)

    assert raised.value.message == "Template has been deleted"


@pytest.mark.parametrize(
    ("template_type", "message"),
    [("sms", "Service is not allowed to send text messages"), ("email", "Service is not allowed to send emails")],
    ids=["sms", "email"],
)
def test_the_service_needs_permission_for_the_template_type(
    make_job: Callable[..., Job], template_type: str, message: str
) -> None:
    template = create_template(service=create_service(permissions=[]), template_type=template_type)

    with pytest.raises(BadRequestError) as raised:
        make_job(template=template)

    assert raised.value.message == message


def test_an_unknown_reply_to_id_is_refused(make_job: Callable[..., Job]) -> None:
    template = create_template()
    unknown = uuid.uuid4()

    with pytest.raises(BadRequestError) as raised:
        make_job(template=template, reply_to_id=unknown)

    assert raised.value.message == (
        f"reply_to_id {unknown} does not exist in database for service id {template.service_id}"
    )


@pytest.mark.parametrize("template_type", ["sms", "email"])
def test_a_reply_to_id_of_the_service_is_kept(make_job: Callable[..., Job], template_type: str) -> None:
    service = create_service()
    template = create_template(service=service, template_type=template_type)
    if template_type == "sms":
        reply_to_id = create_sms_sender(service=service).id
        rows = phone_rows(1)
    else:
        reply_to_id = create_email_reply_to(service=service).id
        rows = [["email address", "name", "ref"], ["jo@example.com", "Jo", "R1"]]

    job = make_job(template=template, rows=rows, reply_to_id=reply_to_id)

    assert job.reply_to_id == reply_to_id


def test_a_trial_service_may_only_send_to_its_guest_list(make_job: Callable[..., Job]) -> None:
    template = create_template(service=create_service(restricted=True))

    with pytest.raises(JobFileError) as raised:
        make_job(template=template, rows=[["phone number", "name"], ["07700900123", "Jo"]])

    assert raised.value.messages() == [
        "Row 2: phone number: Can’t send to this recipient when service is in trial mode – see "
        "https://www.notifications.service.gov.uk/trial-mode"
    ]


def test_a_test_key_may_send_to_anyone_from_a_trial_service(make_job: Callable[..., Job]) -> None:
    template = create_template(service=create_service(restricted=True))

    job = make_job(template=template, rows=[["phone number", "name"], ["07700900123", "Jo"]], key_type="test")

    assert job.key_type == "test"


def test_a_job_bigger_than_what_is_left_of_the_daily_limit_is_refused_up_front(
    make_job: Callable[..., Job],
) -> None:
    template = create_template(service=create_service(sms_message_limit=10))

    with pytest.raises(TooManyRequestsError) as raised:
        make_job(template=template, rows=phone_rows(11))

    assert raised.value.message == "Exceeded send limits (sms: 10) for today"
    assert job_count() == 0


def test_a_scheduled_job_bigger_than_the_whole_daily_limit_is_refused_at_once(make_job: Callable[..., Job]) -> None:
    template = create_template(service=create_service(sms_message_limit=10))

    with pytest.raises(TooManyRequestsError) as raised:
        make_job(template=template, rows=phone_rows(11), scheduled_for=utc_now() + timedelta(hours=30))

    assert raised.value.message == "Exceeded send limits (sms: 10) for today"
    assert job_count() == 0


def test_a_scheduled_job_bigger_than_the_limit_is_refused_without_redis(
    make_job: Callable[..., Job], notify_api: Flask
) -> None:
    template = create_template(service=create_service(sms_message_limit=10))

    with patch("app.jobs.create_job.redis_client", return_value=None), pytest.raises(TooManyRequestsError):
        make_job(template=template, rows=phone_rows(11), scheduled_for=utc_now() + timedelta(hours=30))

    assert job_count() == 0


@freeze_time("2026-06-01T09:00:00Z")
def test_a_scheduled_job_for_another_day_is_not_checked_against_todays_counts(
    make_job: Callable[..., Job], notify_api: Flask
) -> None:
    service = create_service(sms_message_limit=10)
    notify_api.extensions["redis"].set(f"{service.id}-sms-2026-06-01-count", 10)

    job = make_job(
        template=create_template(service=service), rows=phone_rows(10), scheduled_for=utc_now() + timedelta(hours=16)
    )

    assert job.job_status == "scheduled"


@freeze_time("2026-06-01T09:00:00Z")
def test_a_job_scheduled_for_later_today_is_checked_against_todays_counts(
    make_job: Callable[..., Job], notify_api: Flask
) -> None:
    service = create_service(sms_message_limit=10)
    notify_api.extensions["redis"].set(f"{service.id}-sms-2026-06-01-count", 8)

    with pytest.raises(TooManyRequestsError):
        make_job(
            template=create_template(service=service), rows=phone_rows(3), scheduled_for=utc_now() + timedelta(hours=5)
        )

    assert job_count() == 0


@freeze_time("2026-06-01T09:00:00Z")
def test_jobs_scheduled_for_one_day_must_fit_its_limit_together(make_job: Callable[..., Job]) -> None:
    service = create_service(sms_message_limit=10)
    template = create_template(service=service)
    tomorrow_morning, tomorrow_evening = utc_now() + timedelta(hours=24), utc_now() + timedelta(hours=34)
    make_job(template=template, rows=phone_rows(6), scheduled_for=tomorrow_morning)
    make_job(template=template, rows=phone_rows(6), scheduled_for=tomorrow_morning + timedelta(hours=48))

    with pytest.raises(TooManyRequestsError):
        make_job(template=template, rows=phone_rows(5), scheduled_for=tomorrow_evening)

    assert make_job(template=template, rows=phone_rows(4), scheduled_for=tomorrow_evening).job_status == "scheduled"
    assert job_count() == 3


def test_test_key_jobs_scheduled_for_a_day_are_not_counted(make_job: Callable[..., Job]) -> None:
    template = create_template(service=create_service(sms_message_limit=10))
    scheduled_for = utc_now() + timedelta(hours=30)
    make_job(template=template, rows=phone_rows(11), scheduled_for=scheduled_for, key_type="test")

    job = make_job(template=template, rows=phone_rows(10), scheduled_for=scheduled_for)

    assert job.job_status == "scheduled"


def test_a_job_that_cannot_be_queued_is_deleted(make_job: Callable[..., Job]) -> None:
    template = create_template()

    with (
        patch("app.jobs.create_job.enqueue_process_job", side_effect=ConnectionError("broker down")),
        pytest.raises(ConnectionError),
    ):
        make_job(template=template)

    assert job_count() == 0
