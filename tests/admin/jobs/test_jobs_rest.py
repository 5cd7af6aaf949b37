"""Admin job endpoints: create a job from a file, read it with its progress, cancel it before it starts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time

from app.clock import utc_now
from app.jobs.process_job import process_job
from app.models import Template
from tests.auth_helpers import admin_auth_header
from tests.factories import create_service, create_template
from tests.jobs.conftest import phone_rows, queued_tasks


def admin(client: FlaskClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    response = client.open(path, method=method, json=body, headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def post_job(client: FlaskClient, template: Template, **fields: Any) -> tuple[int, Any]:
    body = {"name": "contacts.csv", "template_id": str(template.id), **fields}
    if "rows" not in body and "csv" not in body:
        body["rows"] = phone_rows(3)
    return admin(client, "POST", f"/service/{template.service_id}/job", body)


def test_posting_a_file_creates_a_pending_job(client: FlaskClient) -> None:
    template = create_template()

    status, body = post_job(client, template, csv="phone number,name\n07700900123,Jo\n07700900456,Sam\n")

    assert status == 201
    job = body["data"]
    assert {key: job[key] for key in ("name", "template_id", "template_version", "notification_count")} == {
        "name": "contacts.csv",
        "template_id": str(template.id),
        "template_version": 1,
        "notification_count": 2,
    }
    assert (job["job_status"], job["service_id"], job["scheduled_for"]) == ("pending", str(template.service_id), None)
    assert queued_tasks("jobs") == [("process_job", [job["id"]])]


def test_a_scheduled_job_answers_its_time(client: FlaskClient) -> None:
    template = create_template()
    scheduled_for = (utc_now() + timedelta(hours=2)).replace(microsecond=0)

    status, body = post_job(client, template, scheduled_for=scheduled_for.isoformat())

    assert status == 201
    assert body["data"]["job_status"] == "scheduled"
    assert body["data"]["scheduled_for"] == scheduled_for.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def test_a_file_with_a_bad_row_is_refused_naming_the_row(client: FlaskClient) -> None:
    rows = phone_rows(10)
    rows[6][0] = "020 7946 0000"

    status, body = post_job(client, create_template(), rows=rows)

    assert (status, body) == (400, {"result": "error", "message": "Row 7: phone number: Not a UK mobile number"})


def test_the_body_must_name_a_template(client: FlaskClient) -> None:
    service = create_service()

    status, body = admin(client, "POST", f"/service/{service.id}/job", {"name": "x", "rows": phone_rows(1)})

    assert (status, body["message"]) == (400, "template_id is a required property")


def test_a_job_for_an_unknown_service_is_not_found(client: FlaskClient) -> None:
    status, body = admin(client, "POST", f"/service/{uuid.uuid4()}/job", {"name": "x"})

    assert (status, body) == (404, {"result": "error", "message": "No result found"})


def test_the_admin_endpoints_need_the_admin_token(client: FlaskClient) -> None:
    template = create_template()

    response = client.post(f"/service/{template.service_id}/job", json={})

    assert response.status_code == 401


def test_a_job_is_read_with_its_notifications_counted_by_status(client: FlaskClient) -> None:
    template = create_template()
    _, created = post_job(client, template, rows=phone_rows(4))
    process_job(created["data"]["id"])

    status, body = admin(client, "GET", f"/service/{template.service_id}/job/{created['data']['id']}")

    assert status == 200
    assert body["data"]["job_status"] == "finished"
    assert body["data"]["statistics"] == [{"status": "created", "count": 4}]


def test_a_job_of_another_service_is_not_found(client: FlaskClient) -> None:
    _, created = post_job(client, create_template())

    status, _ = admin(client, "GET", f"/service/{create_service().id}/job/{created['data']['id']}")

    assert status == 404


@pytest.mark.parametrize("scheduled", [False, True], ids=["pending", "scheduled"])
def test_a_job_that_has_not_started_can_be_cancelled(client: FlaskClient, scheduled: bool) -> None:
    template = create_template()
    fields = {"scheduled_for": (utc_now() + timedelta(hours=1)).isoformat()} if scheduled else {}
    _, created = post_job(client, template, **fields)
    job_id = created["data"]["id"]

    status, body = admin(client, "POST", f"/service/{template.service_id}/job/{job_id}/cancel")

    assert (status, body["data"]["job_status"]) == (200, "cancelled")
    assert process_job(job_id) is None


def test_a_job_that_has_started_cannot_be_cancelled(client: FlaskClient) -> None:
    template = create_template()
    _, created = post_job(client, template)
    process_job(created["data"]["id"])

    status, body = admin(client, "POST", f"/service/{template.service_id}/job/{created['data']['id']}/cancel")

    assert (status, body) == (
        400,
        {"result": "error", "message": "Job is finished: only pending or scheduled jobs can be cancelled"},
    )


LETTER_CSV = (
    "address line 1,address line 2,postcode,name\nA Person,1 High Street,LS1 1AA,Ann\nB Person,2 Low Road,M1 1AE,Bo\n"
)


def test_a_letter_job_is_created_counted_and_cancelled_through_the_admin_api(client: FlaskClient) -> None:
    service = create_service(permissions=["letter"])
    template = create_template(service=service, template_type="letter", content="Dear ((name))")
    with freeze_time("2026-06-05 09:00:00"):
        status, body = post_job(client, template, csv=LETTER_CSV)
        process_job(body["data"]["id"])
        _, read = admin(client, "GET", f"/service/{service.id}/job/{body['data']['id']}")
        cancelled = admin(client, "POST", f"/service/{service.id}/job/{body['data']['id']}/cancel-letter-job")

    assert (status, body["data"]["notification_count"]) == (201, 2)
    assert (read["data"]["job_status"], read["data"]["statistics"]) == (
        "finished",
        [{"status": "created", "count": 2}],
    )
    assert cancelled == (200, 2)
    assert admin(client, "GET", f"/service/{service.id}/job/{body['data']['id']}")[1]["data"]["statistics"] == [
        {"status": "cancelled", "count": 2}
    ]
