"""Letter jobs: address columns checked as a single letter's address is, rows become letters queued for their PDFs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.celery.letters_pdf_tasks import get_pdf_for_templated_letter
from app.clock import utc_now
from app.delivery.safety_nets import requeue_created_notifications, timeout_sending_notifications
from app.errors import BadRequestError, TooManyRequestsError
from app.extensions import db
from app.jobs.bulk_feeder import feed_bulk_lanes
from app.jobs.errors import JobFileError
from app.jobs.process_job import process_job
from app.models import Job, Notification, Template
from app.notification_status import NotificationStatus
from app.retention.delete_expired import archive_jobs_older_than_retention
from tests.factories import create_letter_contact, create_service, create_template
from tests.jobs.conftest import queued_tasks

ADDRESS_HEADER = ["Address Line 1", "address_line_2", "ADDRESS LINE 3", "postcode", "name"]


def letter_template(*, permissions: tuple[str, ...] = ("letter",), **settings: Any) -> Template:
    service = create_service(permissions=list(permissions), **settings)
    contact = create_letter_contact(service=service, contact_block="Herald Council\n((office))")
    return create_template(
        service=service,
        template_type="letter",
        subject="Your ((thing))",
        content="Dear ((name))",
        postage="first",
        service_letter_contact_id=contact.id,
    )


def letter_rows(*rows: list[str], header: list[str] | None = None) -> list[list[str]]:
    header = header or [*ADDRESS_HEADER, "thing", "office"]
    return [header, *[[*row, "permit", "Town Hall"] for row in rows]]


def job_letters(job: Job) -> list[Notification]:
    return list(
        db.session.execute(
            select(Notification).where(Notification.job_id == job.id).order_by(Notification.job_row_number)
        ).scalars()
    )


def test_each_row_becomes_a_letter_as_a_single_letter_would(make_job: Callable[..., Job]) -> None:
    template = letter_template(permissions=("letter", "international_letters"))
    job = make_job(
        template=template,
        rows=letter_rows(
            ["A Person", "1 high street", "Leeds", "ls1 1aa", "Ann"],
            ["B Person", "2 Rue Haute", "Paris", "France", "Bob"],
        ),
    )

    process_job(str(job.id))

    uk, france = job_letters(job)
    assert (uk.to, uk.postage, uk.status, uk.notification_type) == (
        "A Person\n1 high street\nLeeds\nLS1 1AA",
        "first",
        NotificationStatus.CREATED,
        "letter",
    )
    assert (france.to, france.postage, france.international) == ("B Person\n2 Rue Haute\nParis\nFrance", "europe", True)
    assert len(uk.reference or "") == len(france.reference or "") == 16
    assert uk.reference != france.reference
    assert uk.reply_to_text == "Herald Council\n((office))"
    assert (uk.personalisation["address_line_1"], uk.personalisation["postcode"]) == ("A Person", "ls1 1aa")


def test_letters_are_queued_for_their_pdfs_and_never_fed_to_a_delivery_lane(make_job: Callable[..., Job]) -> None:
    job = make_job(template=letter_template(), rows=letter_rows(["A Person", "1 High Street", "Leeds", "LS1 1AA", "A"]))

    process_job(str(job.id))

    (letter,) = job_letters(job)
    assert queued_tasks("create-letters-pdf-tasks") == [("get-pdf-for-templated-letter", [str(letter.id)])]
    assert feed_bulk_lanes() is None
    assert letter.next_attempt_at is None
    assert queued_tasks("bulk-sms-tasks") == queued_tasks("bulk-email-tasks") == []


def test_a_rows_pdf_is_made_and_the_letter_is_ready_to_print(
    make_job: Callable[..., Job], letters_directory: Path
) -> None:
    job = make_job(template=letter_template(), rows=letter_rows(["A Person", "1 High Street", "Leeds", "LS1 1AA", "A"]))
    process_job(str(job.id))
    (letter,) = job_letters(job)

    get_pdf_for_templated_letter(str(letter.id))

    db.session.refresh(letter)
    assert (letter.status, letter.billable_units) == (NotificationStatus.CREATED, 1)
    assert len(list(letters_directory.rglob("*.PDF")) + list(letters_directory.rglob("*.pdf"))) == 1


def test_a_test_key_rows_letter_follows_the_test_letter_path(
    make_job: Callable[..., Job], letters_directory: Path
) -> None:
    job = make_job(
        template=letter_template(),
        rows=letter_rows(["A Person", "1 High Street", "Leeds", "LS1 1AA", "A"]),
        key_type="test",
    )
    process_job(str(job.id))
    (letter,) = job_letters(job)
    assert letter.status in (NotificationStatus.SENDING, NotificationStatus.DELIVERED)

    get_pdf_for_templated_letter(str(letter.id))

    db.session.refresh(letter)
    assert (letter.status, letter.billable_units) == (NotificationStatus.DELIVERED, 0)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["A Person", "", "", "LS1 1AA"], "Address must be at least 3 lines"),
        (["...", "1 High Street", "Leeds", "LS1 1AA"], "The first 2 lines of the address must both include at least "
         "one alphanumeric character"),
        (["A Person", "1 High Street", "Leeds", "XX1 1AA"], "Must be a real UK postcode"),
        (["A Person", "1 High Street", "Paris", "France"], "Must be a real UK postcode"),
        (["A Person", "BFPO 1234", "Leeds", "France"], "The last line of a BFPO address must not be a country."),
        (["(A Person", "1 High Street", "Leeds", "LS1 1AA"], "Address lines must not start with any of the following "
         "characters: @ ( ) = [ ] ” \\ / , < >"),
        (["A Person", "No fixed abode", "Leeds", "LS1 1AA"], "Must be a real address"),
    ],
    ids=["too-few-lines", "not-alphanumeric", "not-a-postcode", "international-without-permission", "bfpo-country",
         "invalid-first-character", "no-fixed-abode"],
)  # fmt: skip
def test_each_address_rule_is_reported_on_its_row(make_job: Callable[..., Job], row: list[str], message: str) -> None:
    with pytest.raises(JobFileError) as raised:
        make_job(template=letter_template(), rows=letter_rows(["A", "1 High St", "Leeds", "LS1 1AA", "A"], [*row, "B"]))

    assert raised.value.messages() == [f"Row 3: address: {message}"]


def test_seven_address_line_columns_make_a_seven_line_address(make_job: Callable[..., Job]) -> None:
    header = [f"address line {number}" for number in range(1, 8)] + ["name", "thing", "office"]
    job = make_job(
        template=letter_template(), rows=[header, ["A", "B", "C", "D", "E", "Leeds", "ls11aa", "N", "x", "y"]]
    )

    process_job(str(job.id))

    (letter,) = job_letters(job)
    assert letter.to == "A\nB\nC\nD\nE\nLeeds\nLS1 1AA"


def test_a_file_without_three_address_columns_is_refused(make_job: Callable[..., Job]) -> None:
    rows = [["address_line_1", "postcode", "name", "thing", "office"], ["A", "LS1 1AA", "Ann", "x", "y"]]

    with pytest.raises(JobFileError) as raised:
        make_job(template=letter_template(), rows=rows)

    assert raised.value.messages() == [
        "Missing address columns: a letter needs at least 3 of address_line_1, address_line_2, address_line_3, "
        "address_line_4, address_line_5, address_line_6, address_line_7, postcode"
    ]


def test_an_address_cell_is_bounded_before_it_is_parsed(make_job: Callable[..., Job]) -> None:
    with pytest.raises(JobFileError) as raised:
        make_job(template=letter_template(), rows=letter_rows(["A" * 501, "1 High Street", "Leeds", "LS1 1AA", "A"]))

    assert raised.value.messages() == ["Row 2: Address Line 1: Too long: 501 characters (maximum 500)"]


def test_a_letter_job_over_the_daily_letter_limit_is_refused(make_job: Callable[..., Job]) -> None:
    template = letter_template(letter_message_limit=1)
    rows = letter_rows(["A", "1 High St", "Leeds", "LS1 1AA", "A"], ["B", "2 High St", "Leeds", "LS1 1AA", "B"])

    with pytest.raises(TooManyRequestsError) as raised:
        make_job(template=template, rows=rows)

    assert raised.value.message == "Exceeded send limits (letter: 1) for today"


def test_a_letter_job_takes_its_share_of_the_daily_letter_limit(make_job: Callable[..., Job]) -> None:
    template = letter_template(letter_message_limit=2)
    first = make_job(template=template, rows=letter_rows(["A", "1 High St", "Leeds", "LS1 1AA", "A"]))
    process_job(str(first.id))

    with pytest.raises(TooManyRequestsError) as raised:
        make_job(
            template=template,
            rows=letter_rows(["A", "1 High St", "Leeds", "LS1 1AA", "A"], ["B", "2 High St", "Leeds", "LS1 1AA", "B"]),
        )

    assert raised.value.message == "Exceeded send limits (letter: 2) for today"


@pytest.mark.parametrize(
    ("key_type", "restricted", "message"),
    [("team", False, "Cannot send letters with a team api key"),
     ("normal", True, "Cannot send letters when service is in trial mode")],
    ids=["team-key", "trial-service"],
)  # fmt: skip
def test_letter_jobs_follow_the_single_letter_key_rules(
    make_job: Callable[..., Job], key_type: str, restricted: bool, message: str
) -> None:
    template = letter_template(restricted=restricted)

    with pytest.raises(BadRequestError) as raised:
        make_job(template=template, rows=letter_rows(["A", "1 High St", "Leeds", "LS1 1AA", "A"]), key_type=key_type)

    assert (raised.value.message, raised.value.status_code) == (message, 403)


def test_a_service_without_the_letter_permission_cannot_send_a_letter_job(make_job: Callable[..., Job]) -> None:
    template = letter_template(permissions=("sms",))

    with pytest.raises(BadRequestError) as raised:
        make_job(template=template, rows=letter_rows(["A", "1 High St", "Leeds", "LS1 1AA", "A"]))

    assert raised.value.message == "Service is not allowed to send letters"


def test_the_safety_nets_never_requeue_or_time_out_a_jobs_letters(make_job: Callable[..., Job]) -> None:
    job = make_job(template=letter_template(), rows=letter_rows(["A Person", "1 High Street", "Leeds", "LS1 1AA", "A"]))
    process_job(str(job.id))

    with freeze_time(utc_now() + timedelta(days=3)):
        requeued = requeue_created_notifications()
        timed_out = timeout_sending_notifications()

    (letter,) = job_letters(job)
    assert (requeued, timed_out, letter.status) == (0, 0, NotificationStatus.CREATED)
    assert queued_tasks("create-letters-pdf-tasks") == [("get-pdf-for-templated-letter", [str(letter.id)])]


def test_a_resumed_letter_job_queues_again_the_pdfs_its_dead_run_never_queued(
    make_job: Callable[..., Job], notify_api: Flask
) -> None:
    job = make_job(template=letter_template(), rows=letter_rows(["A Person", "1 High Street", "Leeds", "LS1 1AA", "A"]))
    broker_down = patch("app.jobs.process_job.enqueue_letter_pdf_task", side_effect=ConnectionError("broker down"))
    with broker_down, pytest.raises(ConnectionError):
        process_job(str(job.id))
    stalled_after = timedelta(minutes=notify_api.config["JOB_STALLED_AFTER_MINUTES"] + 1)

    with freeze_time(utc_now() + stalled_after):
        run = process_job(str(job.id))

    (letter,) = job_letters(job)
    assert run is not None
    assert (run.inserted_count, run.is_finished) == (0, True)
    assert queued_tasks("create-letters-pdf-tasks") == [("get-pdf-for-templated-letter", [str(letter.id)])]


def test_a_finished_letter_job_past_retention_is_archived_without_its_rows(make_job: Callable[..., Job]) -> None:
    job = make_job(template=letter_template(), rows=letter_rows(["A Person", "1 High Street", "Leeds", "LS1 1AA", "A"]))
    process_job(str(job.id))

    with freeze_time(utc_now() + timedelta(days=8)):
        archived = archive_jobs_older_than_retention()

    db.session.expire_all()
    stored = db.session.get(Job, job.id)
    assert stored is not None
    assert (archived, stored.archived, stored._contents) == (1, True, "")
