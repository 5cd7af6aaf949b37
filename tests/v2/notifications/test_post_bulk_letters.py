"""POST /v2/notifications/bulk with a letter template: address columns, each row checked as a single letter is."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.jobs.process_job import process_job
from app.models import Notification, Template
from tests.factories import create_api_key, create_template
from tests.jobs.conftest import queued_tasks
from tests.v2.notifications.test_post_bulk import created_rows, post_bulk, validation_error
from tests.v2.read_api import ServiceWithKey, create_service_with_key

LETTER_CSV = (
    "Address Line 1,ADDRESS_LINE_2,address line 3,Post Code,name\r\n"
    "A Person,1 High Street,Leeds,ls1 1aa,Ann\r\n"
    "B Person,2 Rue Haute,Paris,France,Bob\r\n"
)


def letter_caller(*permissions: str, **settings: Any) -> tuple[ServiceWithKey, Template]:
    caller = create_service_with_key(permissions=["letter", *permissions], **settings)
    template = create_template(service=caller.service, template_type="letter", content="Dear ((name))")
    return caller, template


def job_letters(job_id: str) -> list[Notification]:
    statement = select(Notification).where(Notification.job_id == uuid.UUID(job_id))
    return list(db.session.execute(statement.order_by(Notification.job_row_number)).scalars())


def test_letter_rows_become_a_job_whose_rows_are_letters(client: FlaskClient) -> None:
    caller, template = letter_caller()
    rows = [["address_line_1", "address_line_2", "address_line_3", "postcode", "name"],
            ["A Person", "1 High Street", "Leeds", "LS1 1AA", "Ann"]]  # fmt: skip

    status, body = post_bulk(client, caller, template=template, rows=rows)
    process_job(body["data"]["id"])

    assert (status, body["data"]["notification_count"]) == (201, 1)
    (letter,) = job_letters(body["data"]["id"])
    assert (letter.to, letter.postage, letter.notification_type) == (
        "A Person\n1 High Street\nLeeds\nLS1 1AA",
        "second",
        "letter",
    )
    assert queued_tasks("create-letters-pdf-tasks") == [("get-pdf-for-templated-letter", [str(letter.id)])]
    assert queued_tasks("bulk-sms-tasks") == []


def test_a_letter_csv_with_an_international_address_is_sent_at_its_zones_postage(client: FlaskClient) -> None:
    caller, template = letter_caller("international_letters")

    status, body = post_bulk(client, caller, template=template, csv=LETTER_CSV)
    process_job(body["data"]["id"])

    assert status == 201
    assert [(letter.postage, letter.international) for letter in job_letters(body["data"]["id"])] == [
        ("second", False),
        ("europe", True),
    ]


def test_an_international_address_needs_the_international_letters_permission(client: FlaskClient) -> None:
    caller, template = letter_caller()

    status, body = post_bulk(client, caller, template=template, csv=LETTER_CSV)

    assert (status, body) == (400, validation_error("Row 3: address: Must be a real UK postcode"))
    assert created_rows() == (0, 0)


def test_a_letter_job_over_the_daily_letter_limit_is_refused_with_429(client: FlaskClient) -> None:
    caller, template = letter_caller("international_letters", letter_message_limit=1)

    status, body = post_bulk(client, caller, template=template, csv=LETTER_CSV)

    assert (status, body["errors"]) == (
        429,
        [{"error": "TooManyRequestsError", "message": "Exceeded send limits (letter: 1) for today"}],
    )
    assert created_rows() == (0, 0)


def test_a_team_key_cannot_send_a_letter_job(client: FlaskClient) -> None:
    caller, template = letter_caller()
    team = ServiceWithKey(service=caller.service, api_key=create_api_key(service=caller.service, key_type="team"))

    status, body = post_bulk(client, team, template=template, csv=LETTER_CSV)

    assert (status, body["errors"]) == (
        403,
        [{"error": "BadRequestError", "message": "Cannot send letters with a team api key"}],
    )
