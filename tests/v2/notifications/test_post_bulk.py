"""POST /v2/notifications/bulk: a job from rows or CSV; every bad file is a precise 400 that creates nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.clock import utc_now
from app.extensions import db
from app.models import Job, Notification
from app.v2.openapi.document import openapi_document
from tests.factories import create_template
from tests.jobs.conftest import phone_rows, queued_tasks
from tests.v2.openapi.test_openapi_document import assert_documented
from tests.v2.read_api import ServiceWithKey, create_service_with_key, post_as

URL = "/v2/notifications/bulk"


def created_rows() -> tuple[int, int]:
    jobs = db.session.execute(select(func.count()).select_from(Job)).scalar_one()
    notifications = db.session.execute(select(func.count()).select_from(Notification)).scalar_one()
    return jobs, notifications


def post_bulk(client: FlaskClient, caller: ServiceWithKey, **fields: Any) -> tuple[int, Any]:
    template = fields.pop("template", None) or create_template(service=caller.service)
    body = {"name": "contacts.csv", "template_id": str(template.id), **fields}
    if "rows" not in body and "csv" not in body:
        body["rows"] = phone_rows(3)
    response = post_as(client, caller.api_key, URL, body)
    return response.status_code, response.get_json()


def validation_error(*messages: str) -> dict[str, Any]:
    return {"status_code": 400, "errors": [{"error": "ValidationError", "message": message} for message in messages]}


def test_rows_become_a_pending_job(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)

    status, body = post_bulk(client, caller, template=template, rows=phone_rows(2))

    assert status == 201
    job = body["data"]
    assert {key: job[key] for key in ("name", "template_id", "template_version", "notification_count")} == {
        "name": "contacts.csv",
        "template_id": str(template.id),
        "template_version": 1,
        "notification_count": 2,
    }
    assert (job["job_status"], job["scheduled_for"], job["service_id"]) == ("pending", None, str(caller.service.id))
    assert job["created_at"].endswith("Z")
    assert queued_tasks("jobs") == [("process_job", [job["id"]])]


def test_csv_text_with_a_byte_order_mark_becomes_a_job(client: FlaskClient) -> None:
    caller = create_service_with_key()

    status, body = post_bulk(client, caller, csv="\ufeffPhone Number,Name\r\n07700900123,Jo\r\n")

    assert (status, body["data"]["notification_count"]) == (201, 1)


def test_a_job_can_be_scheduled_up_to_96_hours_ahead(client: FlaskClient) -> None:
    caller = create_service_with_key()
    scheduled_for = utc_now().replace(microsecond=0) + timedelta(hours=95)

    status, body = post_bulk(client, caller, scheduled_for=scheduled_for.isoformat())

    assert (status, body["data"]["job_status"]) == (201, "scheduled")
    assert body["data"]["scheduled_for"] == scheduled_for.strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    assert queued_tasks("jobs") == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"csv": "email address,name\nsomeone@example.com,Jo\n"}, "Missing column: phone number"),
        ({"csv": "phone number\n07700900123\n"}, "Missing column: name"),
        ({"csv": ""}, "The file is empty"),
        ({"rows": []}, "The file is empty"),
        ({"csv": "phone number,name\n"}, "The file has a header row but no rows to send"),
        (
            {"csv": "phone number,name\n" + "07700900123,Jo\n" * 100_001},
            "Too many rows: 100001 (maximum 100000)",
        ),
        (
            {"csv": "phone number,name\n07700900123,J\ufffdrgen\n"},
            "Row 2: has characters that could not be read (save the file as UTF-8 text)",
        ),
        (
            {"csv": "phone number,name\n07700900123,Jo\n07700900456\n"},
            "Row 3: has 1 values but the header has 2 columns",
        ),
    ],
    ids=[
        "missing recipient column",
        "missing placeholder column",
        "empty csv",
        "no rows",
        "header only",
        "100,001 rows",
        "wrong encoding",
        "ragged row",
    ],  # fmt: skip
)
def test_a_bad_file_is_refused_precisely_and_creates_nothing(
    client: FlaskClient, fields: dict[str, Any], message: str
) -> None:
    caller = create_service_with_key()

    status, body = post_bulk(client, caller, **fields)

    assert (status, body) == (400, validation_error(message))
    assert created_rows() == (0, 0)
    assert queued_tasks("jobs") == []


def test_a_bad_phone_number_on_row_7_is_named_and_nothing_is_created(client: FlaskClient) -> None:
    caller = create_service_with_key()
    rows = phone_rows(10)
    rows[6][0] = "020 7946 0000"

    status, body = post_bulk(client, caller, rows=rows)

    assert (status, body) == (400, validation_error("Row 7: phone number: Not a UK mobile number"))
    assert created_rows() == (0, 0)


def test_every_bad_row_is_reported(client: FlaskClient) -> None:
    caller = create_service_with_key()
    rows = phone_rows(5)
    rows[2][0] = "+1 202 555 0123x"
    rows[4][1] = ""

    status, body = post_bulk(client, caller, rows=rows)

    assert (status, body) == (
        400,
        validation_error(
            "Row 3: phone number: Must not contain letters or symbols", "Row 5: Missing personalisation: name"
        ),
    )


def test_a_body_that_is_not_json_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = post_as(client, caller.api_key, URL, data='{"csv": "\xff')

    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"error": "BadRequestError", "message": "Invalid JSON supplied in POST data"}
    ]


@pytest.mark.parametrize(
    ("body", "messages"),
    [
        ({"name": "x", "rows": [["phone number"]]}, ["template_id is a required property"]),
        ({"name": "x", "template_id": "nope", "csv": "a"}, ["template_id is not a valid UUID"]),
        ({"template_id": str(uuid.uuid4()), "csv": "a"}, ["name is a required property"]),
        ({"name": "x", "template_id": str(uuid.uuid4())}, ["Provide either rows or csv"]),
        (
            {"name": "x", "template_id": str(uuid.uuid4()), "csv": "a", "rows": []},
            ["Provide either rows or csv, not both"],
        ),
        ({"name": "x", "template_id": str(uuid.uuid4()), "csv": 7}, ["csv is not of type string"]),
        (
            {"name": "x", "template_id": str(uuid.uuid4()), "csv": "a", "to": "x"},
            ["Additional properties are not allowed (to was unexpected)"],
        ),
        (
            {"name": "x", "template_id": str(uuid.uuid4()), "csv": "a", "reply_to_id": "7"},
            ["reply_to_id is not a valid UUID"],
        ),
    ],
    ids=[
        "no template",
        "bad template id",
        "no name",
        "no recipients",
        "rows and csv",
        "csv not text",
        "unknown field",
        "bad reply_to_id",
    ],  # fmt: skip
)
def test_a_body_of_the_wrong_shape_is_refused(client: FlaskClient, body: dict[str, Any], messages: list[str]) -> None:
    caller = create_service_with_key()

    response = post_as(client, caller.api_key, URL, body)

    assert (response.status_code, response.get_json()) == (400, validation_error(*messages))


@pytest.mark.parametrize(
    ("scheduled_for", "message"),
    [
        (
            "tomorrow",
            "scheduled_for datetime format is invalid. It must be a valid ISO8601 date time format, "
            "https://en.wikipedia.org/wiki/ISO_8601",
        ),
        ((utc_now() - timedelta(minutes=5)).isoformat(), "scheduled_for datetime can not be in the past"),
        (
            (utc_now() + timedelta(hours=97)).isoformat(),
            "scheduled_for datetime can only be up to 96 hours in the future",
        ),
    ],
    ids=["not a date", "in the past", "too far ahead"],  # fmt: skip
)
def test_scheduled_for_must_be_within_the_next_96_hours(client: FlaskClient, scheduled_for: str, message: str) -> None:
    caller = create_service_with_key()

    status, body = post_bulk(client, caller, scheduled_for=scheduled_for)

    assert (status, body) == (400, validation_error(message))


def test_a_template_of_another_service_is_not_found(client: FlaskClient) -> None:
    caller = create_service_with_key()

    status, body = post_bulk(client, caller, template=create_template())

    assert (status, body["errors"]) == (400, [{"error": "BadRequestError", "message": "Template not found"}])


def test_a_team_key_may_only_send_to_the_guest_list(client: FlaskClient) -> None:
    caller = create_service_with_key(key_type="team")

    status, body = post_bulk(client, caller, rows=[["phone number", "name"], ["07700900123", "Jo"]])

    assert (status, body) == (
        400,
        validation_error("Row 2: phone number: Can’t send to this recipient using a team-only API key"),
    )


def test_a_job_over_what_is_left_of_todays_limit_is_refused_with_429(client: FlaskClient) -> None:
    caller = create_service_with_key(sms_message_limit=2)

    status, body = post_bulk(client, caller, rows=phone_rows(3))

    assert (status, body) == (
        429,
        {"status_code": 429, "errors": [{"error": "TooManyRequestsError",
                                         "message": "Exceeded send limits (sms: 2) for today"}]},
    )  # fmt: skip
    assert created_rows() == (0, 0)


def test_a_test_key_job_is_kept_with_its_key(client: FlaskClient) -> None:
    caller = create_service_with_key(key_type="test")

    status, body = post_bulk(client, caller)

    job = db.session.get(Job, uuid.UUID(body["data"]["id"]))
    assert status == 201
    assert job is not None
    assert (job.key_type, job.api_key_id) == ("test", caller.api_key.id)


def test_bulk_sends_need_an_api_key(client: FlaskClient) -> None:
    response = client.post(URL, json={})

    assert response.status_code == 401


def test_answers_match_the_openapi_document(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service)
    document = openapi_document("http://localhost/")
    good = {"name": "a.csv", "template_id": str(template.id), "rows": phone_rows(1)}
    bad = {"name": "a.csv", "template_id": str(template.id), "rows": phone_rows(0)}

    created = post_as(client, caller.api_key, URL, good)
    refused = post_as(client, caller.api_key, URL, bad)

    assert (created.status_code, refused.status_code) == (201, 400)
    assert_documented(document, "post", URL, created)
    assert_documented(document, "post", URL, refused)


def test_bulk_requests_count_against_the_rate_limit(client: FlaskClient) -> None:
    caller = create_service_with_key(rate_limit=3)  # a bucket of 2
    template = create_template(service=caller.service)
    for _ in range(2):
        assert post_bulk(client, caller, template=template)[0] == 201

    status, body = post_bulk(client, caller, template=template)

    assert (status, body) == (
        429,
        {"status_code": 429, "errors": [{"error": "RateLimitError",
            "message": "Exceeded rate limit for key type LIVE of 3 requests per 60 seconds"}]},
    )  # fmt: skip
    assert created_rows() == (2, 0)


def test_the_bulk_rate_limit_is_checked_before_the_body(client: FlaskClient) -> None:
    caller = create_service_with_key(rate_limit=3)
    for _ in range(2):
        post_as(client, caller.api_key, URL, data="not json")

    response = post_as(client, caller.api_key, URL, data="not json")

    assert response.get_json()["errors"][0]["error"] == "RateLimitError"


def test_a_scheduled_bulk_job_bigger_than_the_daily_limit_is_refused_at_once(client: FlaskClient) -> None:
    caller = create_service_with_key(sms_message_limit=2)
    scheduled_for = (utc_now() + timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%S")

    status, body = post_bulk(client, caller, rows=phone_rows(3), scheduled_for=scheduled_for)

    assert (status, body["errors"]) == (
        429,
        [{"error": "TooManyRequestsError", "message": "Exceeded send limits (sms: 2) for today"}],
    )
    assert created_rows() == (0, 0)
