"""GET /v2/received-text-messages: newest first, 250 a page, only inside the service's retention period."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from freezegun import freeze_time

from tests.contract import validate_against_client_schema
from tests.factories import create_inbound_sms
from tests.v2.read_api import create_service_with_key, get_as

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def ids_of(response_json: dict) -> list[str]:
    return [message["id"] for message in response_json["received_text_messages"]]


def test_a_message_has_exactly_the_fields_the_clients_accept(client: FlaskClient) -> None:
    caller = create_service_with_key()
    message = create_inbound_sms(service=caller.service, content="STOP", notify_number="07700900000")

    response = get_as(client, caller.api_key, "/v2/received-text-messages")

    assert response.status_code == 200
    validate_against_client_schema(response.json, "inbound_sms_schemas.get_inbound_sms_response")
    [item] = response.json["received_text_messages"]
    assert item == {
        "id": str(message.id),
        "created_at": item["created_at"],
        "service_id": str(caller.service.id),
        "notify_number": "07700900000",
        "user_number": "447700900111",
        "content": "STOP",
    }


@freeze_time(NOW)
def test_messages_come_newest_first_in_pages_of_250(client: FlaskClient) -> None:
    caller = create_service_with_key()
    messages = [
        create_inbound_sms(service=caller.service, created_at=NOW - timedelta(seconds=position))
        for position in range(251)
    ]

    first = get_as(client, caller.api_key, "/v2/received-text-messages")
    second = get_as(client, caller.api_key, first.json["links"]["next"])
    third = get_as(client, caller.api_key, second.json["links"]["next"])

    assert ids_of(first.json) == [str(message.id) for message in messages[:250]]
    assert ids_of(second.json) == [str(messages[250].id)]
    assert first.json["links"]["next"].endswith(f"/v2/received-text-messages?older_than={messages[249].id}")
    assert third.json == {
        "received_text_messages": [],
        "links": {"current": f"http://localhost/v2/received-text-messages?older_than={messages[250].id}"},
    }


@freeze_time(NOW)
def test_messages_past_the_service_s_retention_are_not_shown(client: FlaskClient) -> None:
    caller = create_service_with_key()
    recent = create_inbound_sms(service=caller.service, created_at=NOW - timedelta(days=6))
    create_inbound_sms(service=caller.service, created_at=NOW - timedelta(days=9))

    response = get_as(client, caller.api_key, "/v2/received-text-messages")

    assert ids_of(response.json) == [str(recent.id)]


def test_messages_of_other_services_are_not_shown(client: FlaskClient) -> None:
    caller = create_service_with_key()
    other = create_service_with_key()
    create_inbound_sms(service=other.service)

    response = get_as(client, caller.api_key, "/v2/received-text-messages")

    assert response.json == {
        "received_text_messages": [],
        "links": {"current": "http://localhost/v2/received-text-messages"},
    }


def test_an_unknown_older_than_gives_an_empty_page(client: FlaskClient) -> None:
    caller = create_service_with_key()
    create_inbound_sms(service=caller.service)

    response = get_as(client, caller.api_key, f"/v2/received-text-messages?older_than={uuid.uuid4()}")

    assert response.json["received_text_messages"] == []


def test_an_older_than_that_is_not_a_uuid_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/received-text-messages?older_than=yesterday")

    assert response.status_code == 400
    assert response.json["errors"] == [{"error": "ValidationError", "message": "older_than is not a valid UUID"}]


def test_an_unknown_parameter_is_refused(client: FlaskClient) -> None:
    caller = create_service_with_key()

    response = get_as(client, caller.api_key, "/v2/received-text-messages?page=2")

    assert response.json["errors"] == [
        {"error": "ValidationError", "message": "Additional properties are not allowed (page was unexpected)"}
    ]
