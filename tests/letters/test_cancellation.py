"""Cancelling a letter (letters.md §5.3): until 17:30 London time on its print day, with Notify's messages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.dao.jobs_dao import dao_create_job
from app.dao.notifications_dao import dao_get_notification_by_id
from app.extensions import db
from app.letters.cancellation import is_too_late_to_cancel
from app.limits.daily import daily_count_key
from app.models import Job, Notification
from app.redis_store import redis_client
from tests.auth_helpers import admin_auth_header
from tests.factories import create_notification, create_service, create_template
from tests.letters.letter_rows import create_letter

pytestmark = pytest.mark.usefixtures("letters_directory")

# June: London is UTC+1, so the 17:30 deadline is 16:30 UTC.
FRIDAY_MORNING = datetime(2026, 6, 5, 9, 0, tzinfo=UTC)
TOO_LATE_FOR_JOB = "It’s too late to cancel sending, these letters have already been sent."
STILL_PROCESSING = "We are still processing these letters, please try again in a minute."
NOT_A_LETTER_JOB = "Only letter jobs can be cancelled through this endpoint. This is not a letter job."
TOO_LATE = "It’s too late to cancel this letter. Printing started"
FRIDAY_EVENING = datetime(2026, 6, 5, 17, 0, tzinfo=UTC)  # 18:00 London, after the deadline


def _cancel(client: FlaskClient, notification: Notification) -> tuple[int, dict[str, object]]:
    response = client.post(
        f"/service/{notification.service_id}/notifications/{notification.id}/cancel", headers=[admin_auth_header()]
    )
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    ("created_at", "now", "too_late"),
    [
        (FRIDAY_MORNING, datetime(2026, 6, 5, 16, 29, tzinfo=UTC), False),
        (FRIDAY_MORNING, datetime(2026, 6, 5, 16, 30, tzinfo=UTC), True),
        (FRIDAY_EVENING, datetime(2026, 6, 5, 22, 0, tzinfo=UTC), False),
        (FRIDAY_EVENING, datetime(2026, 6, 6, 16, 29, tzinfo=UTC), False),
        (FRIDAY_EVENING, datetime(2026, 6, 6, 16, 30, tzinfo=UTC), True),
        (FRIDAY_MORNING, datetime(2026, 6, 6, 9, 0, tzinfo=UTC), True),
        (FRIDAY_EVENING, datetime(2026, 6, 7, 9, 0, tzinfo=UTC), True),
    ],
    ids=[
        "morning-before-deadline",
        "morning-at-deadline",
        "evening-that-night",
        "evening-next-day-before-deadline",
        "evening-next-day-at-deadline",
        "morning-next-day",
        "two-days-later",
    ],
)
def test_a_letter_can_be_cancelled_until_1730_on_its_print_day(
    created_at: datetime, now: datetime, too_late: bool
) -> None:
    assert is_too_late_to_cancel(created_at, now) is too_late


@pytest.mark.usefixtures("notify_db_session")
def test_a_letter_cancelled_in_time_is_cancelled_and_returned(client: FlaskClient) -> None:
    letter = create_letter(created_at=FRIDAY_MORNING)

    with freeze_time(datetime(2026, 6, 5, 12, 0, tzinfo=UTC)):
        status_code, body = _cancel(client, letter)

    assert (status_code, body["id"], body["status"]) == (200, str(letter.id), "cancelled")
    assert dao_get_notification_by_id(letter.id).status == "cancelled"


@pytest.mark.usefixtures("notify_db_session")
def test_cancelling_a_letter_sent_today_gives_back_its_daily_count(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(created_at=FRIDAY_MORNING)
    key = daily_count_key(letter.service_id, "letter", FRIDAY_MORNING.date())
    redis = redis_client()
    assert redis is not None
    redis.set(key, 3)

    with freeze_time(datetime(2026, 6, 5, 12, 0, tzinfo=UTC)):
        _cancel(client, letter)

    assert int(redis.get(key) or 0) == 2


@pytest.mark.usefixtures("notify_db_session")
@pytest.mark.parametrize(
    ("now", "message"),
    [
        (
            datetime(2026, 6, 5, 17, 0, tzinfo=UTC),
            "It’s too late to cancel this letter. Printing started today at 5.30pm",
        ),
        (
            datetime(2026, 6, 8, 9, 0, tzinfo=UTC),
            "It’s too late to cancel this letter. Printing started on 5 June at 5.30pm",
        ),
    ],
    ids=["today", "earlier-day"],
)
def test_a_letter_past_its_deadline_cannot_be_cancelled(client: FlaskClient, now: datetime, message: str) -> None:
    letter = create_letter(created_at=FRIDAY_MORNING)

    with freeze_time(now):
        status_code, body = _cancel(client, letter)

    assert (status_code, body) == (400, {"result": "error", "message": message})
    assert dao_get_notification_by_id(letter.id).status == "created"


@pytest.mark.usefixtures("notify_db_session")
def test_a_cancelled_letter_cannot_be_cancelled_again(client: FlaskClient) -> None:
    letter = create_letter(status="cancelled")

    assert _cancel(client, letter) == (400, {"result": "error", "message": "This letter has already been cancelled."})


@pytest.mark.usefixtures("notify_db_session")
def test_a_letter_sent_to_print_cannot_be_cancelled(client: FlaskClient) -> None:
    letter = create_letter(status="sending", created_at=FRIDAY_MORNING)

    status_code, body = _cancel(client, letter)

    assert (status_code, body["message"]) == (
        400,
        f"We could not cancel this letter. Letter status: sending, created_at: {letter.created_at}",
    )


@pytest.mark.usefixtures("notify_db_session")
def test_only_letters_can_be_cancelled(client: FlaskClient) -> None:
    sms = create_notification()

    assert _cancel(client, sms) == (
        400,
        {"result": "error", "message": "Notification cannot be cancelled - only letters can be cancelled"},
    )


@pytest.mark.usefixtures("notify_db_session")
def test_a_letter_of_another_service_is_not_found(client: FlaskClient) -> None:
    letter = create_letter()
    other = create_letter()

    response = client.post(
        f"/service/{other.service_id}/notifications/{letter.id}/cancel", headers=[admin_auth_header()]
    )

    assert (response.status_code, response.get_json()) == (
        404,
        {"result": "error", "message": "Notification not found"},
    )


@pytest.mark.usefixtures("notify_db_session")
def test_cancelling_needs_admin_auth(client: FlaskClient) -> None:
    letter = create_letter()

    response = client.post(f"/service/{letter.service_id}/notifications/{uuid.uuid4()}/cancel")

    assert response.status_code == 401


def _letter_job(*, row_statuses: list[str], job_status: str = "finished", template_type: str = "letter") -> Job:
    service = create_service(permissions=["letter", "sms"])
    template = create_template(service=service, template_type=template_type)
    job = dao_create_job(
        Job(
            original_file_name="letters.csv",
            service_id=service.id,
            template_id=template.id,
            template_version=template.version,
            notification_count=len(row_statuses),
            job_status=job_status,
            _contents="",
            created_at=FRIDAY_MORNING,
        )
    )
    for row, status in enumerate(row_statuses):
        create_notification(
            template=template,
            status=status,
            job_id=job.id,
            job_row_number=row,
            billable_units=1,
            created_at=FRIDAY_MORNING,
        )
    return job


def _cancel_job(client: FlaskClient, job: Job) -> tuple[int, object]:
    with freeze_time(datetime(2026, 6, 5, 12, 0, tzinfo=UTC)):
        response = client.post(
            f"/service/{job.service_id}/job/{job.id}/cancel-letter-job", headers=[admin_auth_header()]
        )
    return response.status_code, response.get_json()


@pytest.mark.usefixtures("notify_db_session")
def test_a_letter_job_is_cancelled_row_by_row_with_nothing_to_bill(client: FlaskClient) -> None:
    job = _letter_job(row_statuses=["created", "created", "validation-failed"])

    status_code, body = _cancel_job(client, job)

    assert (status_code, body) == (200, 2)
    rows = db.session.execute(select(Notification).where(Notification.job_id == job.id)).scalars().all()
    assert sorted((row.status, row.billable_units) for row in rows) == [
        ("cancelled", 0),
        ("cancelled", 0),
        ("validation-failed", 1),
    ]
    assert db.session.get(Job, job.id).job_status == "cancelled"  # type: ignore[union-attr]


@pytest.mark.usefixtures("notify_db_session")
@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"row_statuses": ["created", "sending"]}, TOO_LATE_FOR_JOB),
        ({"row_statuses": ["created"], "job_status": "in progress"}, STILL_PROCESSING),
        ({"row_statuses": ["created"], "template_type": "sms"}, NOT_A_LETTER_JOB),
    ],
    ids=["a-row-sent", "still-processing", "not-letters"],
)
def test_a_letter_job_that_cannot_be_cancelled_is_refused(
    client: FlaskClient, settings: dict[str, Any], message: str
) -> None:
    job = _letter_job(**settings)

    assert _cancel_job(client, job) == (400, {"result": "error", "message": message})
    statuses = db.session.execute(select(Notification.status).where(Notification.job_id == job.id)).scalars().all()
    assert "cancelled" not in statuses
