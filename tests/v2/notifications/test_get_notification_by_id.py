"""GET /v2/notifications/<id>: one notification of the caller's service, shaped as the clients expect."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time

from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.templates_dao import dao_update_template
from app.notification_status import NotificationStatus
from tests.contract import validate_against_client_schema
from tests.factories import create_notification, create_template
from tests.v2.read_api import create_service_with_key, get_as


def test_an_sms_notification_matches_the_client_schema(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="Hi ((name))")
    notification = create_notification(template=template, personalisation={"name": "Ada"}, client_reference="ref-1")

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.status_code == 200
    validate_against_client_schema(response.json, "notification_schemas.get_notification_response")
    assert response.json["id"] == str(notification.id)
    assert response.json["reference"] == "ref-1"
    assert response.json["phone_number"] == "447700900123"
    assert response.json["email_address"] is None
    assert response.json["type"] == "sms"
    assert response.json["body"] == "Hi Ada"
    assert response.json["subject"] is None


def test_an_email_notification_has_its_rendered_subject_and_body(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, template_type="email", subject="About ((ref))")
    notification = create_notification(template=template, personalisation={"name": "Ada", "ref": "X1"})

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    validate_against_client_schema(response.json, "notification_schemas.get_notification_response")
    assert response.json["email_address"] == "someone@example.com"
    assert response.json["phone_number"] is None
    assert response.json["subject"] == "About X1"
    assert response.json["body"] == "Dear Ada,\n\nYour reference is X1."
    assert response.json["cost_details"] == {}
    assert response.json["cost_in_pounds"] == 0.0


def test_the_body_comes_from_the_template_version_the_notification_was_sent_with(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, content="Version one for ((name))")
    notification = create_notification(template=template, personalisation={"name": "Ada"})
    dao_update_template(template, content="Version two for ((name))")

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["body"] == "Version one for Ada"
    assert response.json["template"]["version"] == 1
    assert response.json["template"]["uri"].endswith(f"/v2/template/{template.id}/version/1")


def test_every_field_the_contract_names_is_present(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notification = create_notification(template=create_template(service=caller.service))

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert set(response.json) == {
        "id", "reference", "email_address", "phone_number", "line_1", "line_2", "line_3", "line_4", "line_5",
        "line_6", "postcode", "type", "status", "template", "body", "subject", "created_at", "created_by_name",
        "sent_at", "completed_at", "scheduled_for", "postage", "one_click_unsubscribe_url", "cost_details",
        "cost_in_pounds", "is_cost_data_ready",
    }  # fmt: skip


@freeze_time("2026-03-14 12:35:25.909")
def test_datetimes_are_written_in_utc_with_microseconds_and_a_z(client: FlaskClient) -> None:
    caller = create_service_with_key()
    sent_at = datetime(2026, 3, 14, 12, 35, 26, 100000, tzinfo=UTC)
    notification = create_notification(template=create_template(service=caller.service), sent_at=sent_at)

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["created_at"] == "2026-03-14T12:35:25.909000Z"
    assert response.json["sent_at"] == "2026-03-14T12:35:26.100000Z"


def test_completed_at_is_when_the_status_became_final(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notification = create_notification(template=create_template(service=caller.service), status="sending")
    with freeze_time("2026-03-14 13:00:00"):
        dao_update_notification_status_by_id(notification.id, NotificationStatus.DELIVERED)

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["status"] == "delivered"
    assert response.json["completed_at"] == "2026-03-14T13:00:00.000000Z"


def test_completed_at_is_null_while_a_notification_is_still_on_its_way(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notification = create_notification(template=create_template(service=caller.service), status="created")
    dao_update_notification_status_by_id(notification.id, NotificationStatus.SENDING)

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["completed_at"] is None


def test_a_notification_of_another_service_is_not_found(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notification = create_notification()

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.status_code == 404
    assert response.json == {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]}


def test_an_unknown_id_is_not_found(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, f"/v2/notifications/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.json["errors"] == [{"error": "NoResultFound", "message": "No result found"}]


@pytest.mark.parametrize("bad_id", ["1234", "not-a-uuid", "0" * 36], ids=["digits", "words", "zeros"])
def test_an_id_that_is_not_a_uuid_is_refused(client: FlaskClient, bad_id: str) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, f"/v2/notifications/{bad_id}")

    assert response.status_code == 400
    assert response.json == {
        "status_code": 400,
        "errors": [{"error": "ValidationError", "message": "notification_id is not a valid UUID"}],
    }


def test_a_notification_sent_with_another_key_type_is_still_returned(client: FlaskClient) -> None:
    caller = create_service_with_key(key_type="normal")
    template = create_template(service=caller.service)
    notification = create_notification(template=template, key_type="test")

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.status_code == 200
