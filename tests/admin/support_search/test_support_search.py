"""GET /service/<id>/notifications/search: by recipient (live and history), reference or id, with status timelines,
each search audited with a keyed hash of what was searched, never the value."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import MagicMock

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.dao.jobs_dao import dao_create_job, dao_insert_job_notifications
from app.dao.notification_history_dao import dao_move_notifications_to_history
from app.extensions import db
from app.models import Job, Notification, SupportSearchAudit, Template
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status
from tests.auth_helpers import admin_auth_header
from tests.factories import batch_for, create_notification, create_service, create_template
from tests.v2.notifications.send_api import create_sender, post_send, sms_body

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
MOBILE = "447700900123"
OPERATOR = "support.agent@example.org"


def search(client: FlaskClient, service_id: Any, **parameters: str) -> tuple[int, Any]:
    query = {"searched_by": OPERATOR, **parameters}
    response = client.get(
        f"/service/{service_id}/notifications/search", query_string=query, headers=[admin_auth_header()]
    )
    return response.status_code, response.get_json()


def found_ids(body: Any) -> list[str]:
    return [notification["id"] for notification in body["notifications"]]


def audit_rows() -> list[SupportSearchAudit]:
    return list(db.session.execute(select(SupportSearchAudit)).scalars())


def move_to_history(template: Template) -> None:
    dao_move_notifications_to_history(template.service_id, created_before=NOW - timedelta(days=7), limit=100)


@freeze_time(NOW)
def test_a_recipient_is_found_in_the_live_table_and_in_history_newest_first(client: FlaskClient) -> None:
    template = create_template()
    old_id = create_notification(template=template, to="07700900123", created_at=NOW - timedelta(days=10)).id
    recent = create_notification(template=template, to="07700900123", created_at=NOW - timedelta(hours=1))
    create_notification(template=template, to="07700900456")
    move_to_history(template)

    status, body = search(client, template.service_id, recipient="07700 900123")

    assert status == 200
    assert found_ids(body) == [str(recent.id), str(old_id)]
    assert [notification["stored_in"] for notification in body["notifications"]] == [
        "notifications",
        "notification_history",
    ]


@freeze_time(NOW)
@pytest.mark.parametrize(
    "searched",
    ["07700900123", "07700 900 123", "+44 7700 900123", "0044 7700-900123", "(07700) 900.123", "447700900123"],
    ids=["national", "spaced", "international", "00-prefixed", "punctuated", "e164-without-plus"],
)
def test_every_way_of_writing_a_mobile_number_finds_it(client: FlaskClient, searched: str) -> None:
    notification = create_notification(template=create_template(), to="+447700900123")

    _, body = search(client, notification.service_id, recipient=searched)

    assert found_ids(body) == [str(notification.id)]


@freeze_time(NOW)
def test_an_email_address_is_found_whatever_its_case_and_surrounding_space(client: FlaskClient) -> None:
    notification = create_notification(template=create_template(template_type="email"), to="Someone@Example.com")

    _, body = search(client, notification.service_id, recipient="  SOMEONE@example.COM ")

    assert found_ids(body) == [str(notification.id)]


@freeze_time(NOW)
def test_another_services_recipient_is_not_found(client: FlaskClient) -> None:
    other_template = create_template()
    create_notification(template=other_template, to=MOBILE)
    move_to_history(other_template)
    create_notification(template=other_template, to=MOBILE)
    service = create_service()

    status, body = search(client, service.id, recipient=MOBILE)

    assert (status, body["notifications"]) == (200, [])


@freeze_time(NOW)
def test_another_services_notification_is_not_found_by_id_or_reference(client: FlaskClient) -> None:
    notification = create_notification(template=create_template(), client_reference="order-17")
    service = create_service()

    by_id = search(client, service.id, id=str(notification.id))
    by_reference = search(client, service.id, reference="order-17")

    assert (by_id[1]["notifications"], by_reference[1]["notifications"]) == ([], [])


@freeze_time(NOW)
def test_a_reference_finds_notifications_in_both_tables(client: FlaskClient) -> None:
    template = create_template()
    old_id = create_notification(template=template, client_reference="order-17", created_at=NOW - timedelta(days=9)).id
    recent = create_notification(template=template, client_reference="order-17")
    create_notification(template=template, client_reference="order-18")
    move_to_history(template)

    _, body = search(client, template.service_id, reference="order-17")

    assert found_ids(body) == [str(recent.id), str(old_id)]
    assert body["notifications"][0]["reference"] == "order-17"


@freeze_time(NOW)
def test_an_id_finds_a_notification_moved_to_history(client: FlaskClient) -> None:
    template = create_template()
    notification_id = create_notification(template=template, created_at=NOW - timedelta(days=9), sent_by="mmg").id
    move_to_history(template)

    _, body = search(client, template.service_id, id=str(notification_id).upper())

    assert body["notifications"] == [
        {
            "id": str(notification_id),
            "type": "sms",
            "status": "created",
            "created_at": "2026-11-22T12:00:00.000000Z",
            "sent_at": None,
            "sent_by": "mmg",
            "updated_at": None,
            "template": {"id": str(template.id), "version": 1},
            "reference": None,
            "job": None,
            "stored_in": "notification_history",
            "timeline": [{"status": "created", "at": "2026-11-22T12:00:00.000000Z"}],
        }
    ]


@freeze_time(NOW)
def test_history_beyond_the_search_window_is_not_searched(client: FlaskClient) -> None:
    template = create_template()
    create_notification(template=template, to=MOBILE, created_at=NOW - timedelta(days=367))
    move_to_history(template)

    _, body = search(client, template.service_id, recipient=MOBILE)

    assert body["notifications"] == []


def test_each_result_has_its_status_timeline(client: FlaskClient) -> None:
    with freeze_time(NOW) as clock:
        notification = create_notification(template=create_template())
        clock.tick(timedelta(seconds=2))
        change_status(notification.id, NotificationStatus.SENDING, log=ChangeLog("claimed"))
        clock.tick(timedelta(seconds=3))
        change_status(notification.id, NotificationStatus.DELIVERED, log=ChangeLog("delivered"))

        _, body = search(client, notification.service_id, id=str(notification.id))

    assert body["notifications"][0]["timeline"] == [
        {"status": "created", "at": "2026-12-01T12:00:00.000000Z"},
        {"status": "sending", "at": "2026-12-01T12:00:02.000000Z"},
        {"status": "delivered", "at": "2026-12-01T12:00:05.000000Z"},
    ]


@freeze_time(NOW)
def test_a_job_row_is_found_by_its_recipient_with_its_job_and_row(client: FlaskClient) -> None:
    template = create_template()
    job = dao_create_job(
        Job(
            original_file_name="contacts.csv",
            service_id=template.service_id,
            template_id=template.id,
            template_version=template.version,
            notification_count=1,
            job_status="in progress",
            _contents="",
        )
    )
    batch = batch_for(job, [0])
    dao_insert_job_notifications(batch)

    _, body = search(client, template.service_id, recipient="07700900123")

    assert found_ids(body) == [str(batch.ids[0])]
    assert body["notifications"][0]["job"] == {"id": str(job.id), "row_number": 0}


def test_a_notification_sent_through_the_api_is_found_by_its_recipient(
    client: FlaskClient, send_task: MagicMock
) -> None:
    sender = create_sender()
    sent = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+44 7700 900 123"))

    _, body = search(client, sender.service.id, recipient="07700900123")

    assert found_ids(body) == [sent.get_json()["id"]]


@freeze_time(NOW)
def test_pages_go_back_in_time_with_older_than(client: FlaskClient, notify_api: Any) -> None:
    template = create_template()
    notifications = [
        create_notification(template=template, to=MOBILE, created_at=NOW - timedelta(minutes=minutes))
        for minutes in range(3)
    ]
    notify_api.config["SUPPORT_SEARCH_PAGE_SIZE"] = 2
    try:
        _, first = search(client, template.service_id, recipient=MOBILE)
        _, second = search(client, template.service_id, recipient=MOBILE, older_than=found_ids(first)[-1])
    finally:
        notify_api.config["SUPPORT_SEARCH_PAGE_SIZE"] = 50

    assert found_ids(first) + found_ids(second) == [str(notification.id) for notification in notifications]


@freeze_time(NOW)
def test_every_search_is_audited_with_a_hash_and_never_the_value(client: FlaskClient) -> None:
    template = create_template()
    create_notification(template=template, to=MOBILE)
    create_notification(template=template, to=MOBILE)

    search(client, template.service_id, recipient="07700 900123")
    search(client, template.service_id, reference="order-17")

    recipient_audit, reference_audit = sorted(audit_rows(), key=lambda audit: audit.search_kind)
    assert (recipient_audit.search_kind, recipient_audit.result_count) == ("recipient", 2)
    assert (reference_audit.search_kind, reference_audit.result_count) == ("reference", 0)
    assert recipient_audit.searched_by == OPERATOR
    assert recipient_audit.admin_client_id == "herald-admin"
    assert recipient_audit.searched_at == NOW
    assert recipient_audit.service_id == template.service_id
    stored = db.session.execute(select(Notification.recipient_hash)).scalars().first()
    assert recipient_audit.searched_value_hash == stored  # who looked this recipient up can be answered
    for audit in (recipient_audit, reference_audit):
        row_text = repr([getattr(audit, column.key) for column in SupportSearchAudit.__table__.columns])
        assert "7700" not in row_text
        assert "order-17" not in row_text


@freeze_time(NOW)
def test_a_search_logs_no_recipient(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    template = create_template(template_type="email")
    create_notification(template=template, to="private.person@example.com")
    caplog.set_level(logging.DEBUG)

    search(client, template.service_id, recipient="private.person@example.com")
    search(client, template.service_id, recipient="private.person@not valid")

    logged = [(record.getMessage(), vars(record)) for record in caplog.records]
    assert logged
    assert "private.person" not in repr(logged)


@freeze_time(NOW)
def test_an_invalid_recipient_is_refused_without_echoing_it(client: FlaskClient) -> None:
    status, body = search(client, create_service().id, recipient="not-a-number-0207")

    assert status == 400
    assert body["errors"] == [
        {"error": "BadRequestError", "message": "recipient is not a valid email address or mobile number"}
    ]
    assert audit_rows() == []


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"recipient": "a" * 310 + "@example.com"}, "recipient must be an email address or a mobile number"),
        ({"reference": "r" * 1001}, "reference must be 1 to 1000 characters, without NUL"),
        ({"reference": "bad\x00"}, "reference must be 1 to 1000 characters, without NUL"),
        ({"id": "not-a-uuid"}, "id is not a valid UUID"),
        ({"id": str(uuid.uuid4()), "older_than": "x" * 37}, "older_than is not a valid UUID"),
        ({"id": str(uuid.uuid4()), "searched_by": ""}, "searched_by must name the operator"),
        ({"id": str(uuid.uuid4()), "searched_by": "x" * 256}, "searched_by must name the operator"),
        ({"id": str(uuid.uuid4()), "searched_by": "ops\n"}, "searched_by must name the operator"),
        ({"id": str(uuid.uuid4()), "searched_by": "a b"}, "searched_by must name the operator"),
        ({"id": str(uuid.uuid4()), "reference": "order-17"}, "Search by exactly one of recipient, reference and id"),
        ({}, "Search by exactly one of recipient, reference and id"),
        ({"id": str(uuid.uuid4()), "to": "x"}, "Additional properties are not allowed"),
    ],
    ids=[
        "long-recipient",
        "long-reference",
        "nul-reference",
        "bad-id",
        "bad-cursor",
        "empty-operator",
        "long-operator",
        "operator-with-newline",
        "operator-with-space",
        "two-kinds",
        "no-kind",
        "unknown-parameter",
    ],
)
def test_bad_searches_are_refused_in_the_v2_envelope(
    client: FlaskClient, parameters: dict[str, str], message: str
) -> None:
    status, body = search(client, create_service().id, **parameters)

    assert status == 400
    assert set(body) == {"status_code", "errors"}
    assert body["status_code"] == 400
    assert any(error["message"].startswith(message) for error in body["errors"])
    assert audit_rows() == []


def test_the_operator_must_be_named(client: FlaskClient) -> None:
    response = client.get(
        f"/service/{create_service().id}/notifications/search",
        query_string={"id": str(uuid.uuid4())},
        headers=[admin_auth_header()],
    )

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "searched_by is a required property"


def test_a_repeated_parameter_is_refused(client: FlaskClient) -> None:
    response = client.get(
        f"/service/{create_service().id}/notifications/search?searched_by=ops&reference=a&reference=b",
        headers=[admin_auth_header()],
    )

    assert response.status_code == 400
    assert response.get_json()["errors"][0]["message"] == "Give each parameter once: reference"


def test_a_search_without_the_admin_token_is_refused_in_the_v2_envelope(client: FlaskClient) -> None:
    response = client.get(f"/service/{create_service().id}/notifications/search?searched_by=ops&reference=a")

    assert response.status_code == 401
    assert response.get_json() == {
        "status_code": 401,
        "errors": [{"error": "AuthError", "message": "Unauthorized: authentication token must be provided"}],
    }


def test_an_unknown_service_is_not_found(client: FlaskClient) -> None:
    status, body = search(client, uuid.uuid4(), reference="order-17")

    assert status == 404
    assert body["status_code"] == 404
