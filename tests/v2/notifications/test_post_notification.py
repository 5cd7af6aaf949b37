"""POST /v2/notifications/sms and /email: the 201 answers, what is stored and queued, and every refusal."""

from __future__ import annotations

import json
import time
import uuid
from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utc_now
from app.dao.api_key_dao import dao_revoke_api_key
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.services_dao import dao_get_service_by_id, dao_update_service
from app.dao.templates_dao import dao_update_template
from tests.auth_helpers import create_jwt_token, service_auth_header
from tests.contract import validate_against_client_schema
from tests.factories import create_email_reply_to, create_service, create_sms_sender, create_template, set_guest_list
from tests.v2.notifications.send_api import (
    Sender,
    create_sender,
    email_body,
    errors_of,
    post_send,
    queued_tasks,
    sms_body,
    stored_notification_count,
)

TRIAL_MODE = "Can’t send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode"
TEAM_KEY = "Can’t send to this recipient using a team-only API key"
HOST = "http://127.0.0.1:6011"


@pytest.fixture
def sender(notify_db_session: None) -> Sender:
    return create_sender()


def refusal(response: Any) -> tuple[int, list[dict[str, str]]]:
    return response.status_code, errors_of(response)


def bad_request(message: str, error: str = "BadRequestError") -> tuple[int, list[dict[str, str]]]:
    return 400, [{"error": error, "message": message}]


# Sending an SMS


def test_an_sms_is_answered_201_in_the_shape_the_clients_expect(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, reference="ref-1"))

    assert response.status_code == 201
    validate_against_client_schema(response.get_json(), "notification_schemas.post_sms_response")


def test_an_sms_answer_carries_the_body_sender_uris_and_template(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, reference="ref-1"))

    body = response.get_json()
    template_id, service_id = sender.sms_template.id, sender.service.id
    assert body == {
        "id": body["id"],
        "reference": "ref-1",
        "content": {"body": "Hello Jo", "from_number": "HERALD"},
        "uri": f"{HOST}/v2/notifications/{body['id']}",
        "template": {
            "id": str(template_id),
            "version": 1,
            "uri": f"{HOST}/services/{service_id}/templates/{template_id}",
        },
        "scheduled_for": None,
    }


def test_an_sms_is_stored_as_created_with_everything_the_worker_needs(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="07700 900 123", reference="r"))

    stored = dao_get_notification_by_id(response.get_json()["id"])
    assert (stored.status, stored.notification_type, stored.to, stored.normalised_to) == (
        "created",
        "sms",
        "07700 900 123",
        "447700900123",
    )
    assert (stored.template_id, stored.template_version, stored.api_key_id, stored.key_type) == (
        sender.sms_template.id,
        1,
        sender.api_key.id,
        "normal",
    )
    assert (stored.client_reference, stored.personalisation, stored.reply_to_text) == ("r", {"name": "Jo"}, "HERALD")
    assert (stored.international, stored.phone_prefix, stored.rate_multiplier, stored.billable_units) == (
        False,
        "44",
        1,
        0,
    )


def test_an_sms_is_queued_for_delivery_on_the_real_broker(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert queued_tasks("send-sms") == [("deliver_sms", [response.get_json()["id"]])]


def test_a_send_from_a_priority_template_is_queued_on_the_priority_lane(client: FlaskClient, sender: Sender) -> None:
    dao_update_template(sender.sms_template, process_type="priority")
    dao_update_template(sender.email_template, process_type="priority")

    sms = post_send(client, sender.api_key, "sms", sms_body(sender))
    email = post_send(client, sender.api_key, "email", email_body(sender))

    assert queued_tasks("priority-sms") == [("deliver_sms", [sms.get_json()["id"]])]
    assert queued_tasks("priority-email") == [("deliver_email", [email.get_json()["id"]])]
    assert (queued_tasks("send-sms"), queued_tasks("send-email")) == ([], [])


def test_an_sms_sent_with_a_test_key_is_queued_for_research_mode(client: FlaskClient, sender: Sender) -> None:
    test_key = sender.with_key("test").api_key

    response = post_send(client, test_key, "sms", sms_body(sender))

    assert queued_tasks("research-mode") == [("deliver_sms", [response.get_json()["id"]])]
    assert dao_get_notification_by_id(response.get_json()["id"]).key_type == "test"


def test_an_sms_uses_the_services_default_sender(client: FlaskClient, sender: Sender) -> None:
    create_sms_sender(service=sender.service, sms_sender="DEFAULT")

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert response.get_json()["content"]["from_number"] == "DEFAULT"
    assert dao_get_notification_by_id(response.get_json()["id"]).reply_to_text == "DEFAULT"


def test_an_sms_uses_the_chosen_sender(client: FlaskClient, sender: Sender) -> None:
    create_sms_sender(service=sender.service, sms_sender="DEFAULT")
    chosen = create_sms_sender(service=sender.service, sms_sender="CHOSEN", is_default=False)

    response = post_send(client, sender.api_key, "sms", sms_body(sender, sms_sender_id=str(chosen.id)))

    assert response.get_json()["content"]["from_number"] == "CHOSEN"
    assert dao_get_notification_by_id(response.get_json()["id"]).reply_to_text == "CHOSEN"


def test_an_sms_body_starts_with_the_service_name_when_the_service_asks(client: FlaskClient, sender: Sender) -> None:
    dao_update_service(dao_get_service_by_id(sender.service.id), prefix_sms=True)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert response.get_json()["content"]["body"] == f"{sender.service.name}: Hello Jo"


def test_an_international_sms_is_stored_with_its_prefix_and_rate(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0123"))

    stored = dao_get_notification_by_id(response.get_json()["id"])
    assert (stored.international, stored.phone_prefix, stored.normalised_to) == (True, "1", "12025550123")


def test_conditional_placeholders_are_filled(client: FlaskClient, sender: Sender) -> None:
    template = create_template(service=sender.service, content="Hi((late?? - you are late))")

    response = post_send(
        client,
        sender.api_key,
        "sms",
        sms_body(sender, template_id=str(template.id), personalisation={"late": "yes"}),
    )

    assert response.get_json()["content"]["body"] == "Hi - you are late"


def test_the_latest_template_version_is_sent_and_recorded(client: FlaskClient, sender: Sender) -> None:
    dao_update_template(sender.sms_template, content="Bye ((name))")

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert (response.get_json()["content"]["body"], response.get_json()["template"]["version"]) == ("Bye Jo", 2)
    assert dao_get_notification_by_id(response.get_json()["id"]).template_version == 2


def test_a_body_without_a_json_content_type_is_read_as_json(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", data=json.dumps(sms_body(sender)))

    assert response.status_code == 201


# Sending an email


def test_an_email_is_answered_201_in_the_shape_the_clients_expect(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "email", email_body(sender))

    assert response.status_code == 201
    validate_against_client_schema(response.get_json(), "notification_schemas.post_email_response")


def test_an_email_answer_carries_the_body_subject_sender_and_template(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "email", email_body(sender))

    body = response.get_json()
    template_id, service_id = sender.email_template.id, sender.service.id
    assert body == {
        "id": body["id"],
        "reference": None,
        "content": {
            "from_email": f"{sender.service.email_sender_local_part}@notifications.herald.example",
            "body": "Dear Jo,\n\nSee you soon",
            "subject": "Hi Jo",
            "one_click_unsubscribe_url": None,
        },
        "uri": f"{HOST}/v2/notifications/{body['id']}",
        "template": {
            "id": str(template_id),
            "version": 1,
            "uri": f"{HOST}/services/{service_id}/templates/{template_id}",
        },
        "scheduled_for": None,
        "sanitised_content": {},
    }


def test_an_email_is_stored_and_queued_for_delivery(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "email", email_body(sender, email_address=" Someone@Example.com "))

    notification_id = response.get_json()["id"]
    stored = dao_get_notification_by_id(notification_id)
    assert (stored.notification_type, stored.to, stored.normalised_to, stored.status) == (
        "email",
        "Someone@Example.com",
        "someone@example.com",
        "created",
    )
    assert queued_tasks("send-email") == [("deliver_email", [notification_id])]


def test_an_email_stores_and_answers_its_unsubscribe_link(client: FlaskClient, sender: Sender) -> None:
    link = "https://example.com/unsubscribe?user=1"

    response = post_send(client, sender.api_key, "email", email_body(sender, one_click_unsubscribe_url=link))

    assert response.get_json()["content"]["one_click_unsubscribe_url"] == link
    assert dao_get_notification_by_id(response.get_json()["id"]).unsubscribe_link == link


def test_sanitised_personalisation_is_sent_stored_and_reported(client: FlaskClient, sender: Sender) -> None:
    personalisation = {"name": "User, [click here](https://evil.link)", "body": "ok"}

    response = post_send(
        client,
        sender.api_key,
        "email",
        email_body(sender, personalisation=personalisation, sanitise_content_for=["NAME"]),
    )

    body = response.get_json()
    assert body["content"]["body"] == "Dear User, \\[click here\\]\\(\\),\n\nok"
    assert body["sanitised_content"] == {
        "name": {"unsanitised": "User, [click here](https://evil.link)", "sanitised": "User, \\[click here\\]\\(\\)"}
    }
    assert dao_get_notification_by_id(body["id"]).personalisation["name"] == "User, \\[click here\\]\\(\\)"


def test_an_email_stores_the_default_reply_to_address(client: FlaskClient, sender: Sender) -> None:
    create_email_reply_to(service=sender.service, email_address="help@example.com")

    response = post_send(client, sender.api_key, "email", email_body(sender))

    assert dao_get_notification_by_id(response.get_json()["id"]).reply_to_text == "help@example.com"


def test_an_email_stores_the_chosen_reply_to_address(client: FlaskClient, sender: Sender) -> None:
    create_email_reply_to(service=sender.service, email_address="help@example.com")
    chosen = create_email_reply_to(service=sender.service, email_address="other@example.com", is_default=False)

    response = post_send(client, sender.api_key, "email", email_body(sender, email_reply_to_id=str(chosen.id)))

    assert dao_get_notification_by_id(response.get_json()["id"]).reply_to_text == "other@example.com"


def test_scheduled_for_is_accepted_and_answered_as_null(client: FlaskClient, sender: Sender) -> None:
    in_an_hour = (utc_now() + timedelta(hours=1)).isoformat()

    response = post_send(client, sender.api_key, "email", email_body(sender, scheduled_for=in_an_hour))

    assert (response.status_code, response.get_json()["scheduled_for"]) == (201, None)


# Smoke-test recipients and letters


@pytest.mark.parametrize(
    ("notification_type", "recipient"),
    [
        ("sms", "07700900000"),
        ("sms", "+44 7700 900111"),
        ("sms", "07700900222"),
        ("email", "simulate-delivered@notifications.service.gov.uk"),
        ("email", "simulate-delivered-2@notifications.service.gov.uk"),
        ("email", "Simulate-Delivered-3@notifications.service.gov.uk"),
    ],
    ids=["sms-000", "sms-111", "sms-222", "email-1", "email-2", "email-3"],
)
def test_a_smoke_test_recipient_gets_a_201_and_nothing_is_stored_or_queued(
    client: FlaskClient, sender: Sender, notification_type: str, recipient: str
) -> None:
    body = (
        sms_body(sender, phone_number=recipient)
        if notification_type == "sms"
        else email_body(sender, email_address=recipient)
    )

    response = post_send(client, sender.api_key, notification_type, body)

    assert response.status_code == 201
    assert stored_notification_count() == 0
    assert queued_tasks(f"send-{notification_type}") == []


def test_each_smoke_test_send_gets_a_fresh_id(client: FlaskClient, sender: Sender) -> None:
    body = sms_body(sender, phone_number="07700900000")

    ids = {post_send(client, sender.api_key, "sms", body).get_json()["id"] for _ in range(2)}

    assert len(ids) == 2


def test_smoke_test_recipients_are_still_validated(client: FlaskClient, sender: Sender) -> None:
    response = post_send(
        client, sender.api_key, "sms", sms_body(sender, phone_number="07700900000", personalisation={})
    )

    assert refusal(response) == bad_request("Missing personalisation: name")


def test_letters_are_refused_without_the_letter_permission(client: FlaskClient, sender: Sender) -> None:
    body = {"template_id": str(sender.sms_template.id), "personalisation": {}}

    response = post_send(client, sender.api_key, "letter", body)

    assert refusal(response) == bad_request("Service is not allowed to send letters")


# A failed enqueue


def test_a_failed_enqueue_answers_500_and_leaves_nothing_stored(
    notify_api: Flask, client: FlaskClient, sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.celery.task_queue.queue_task", MagicMock(side_effect=OSError("broker down")))

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert response.status_code == 500
    assert response.get_json() == {
        "status_code": 500,
        "errors": [{"error": "Exception", "message": "Internal server error"}],
    }
    assert stored_notification_count() == 0


# Refusals by the request schema


@pytest.mark.parametrize(
    ("notification_type", "body", "messages"),
    [
        ("sms", {"template_id": "TEMPLATE"}, ["phone_number is a required property"]),
        ("email", {"template_id": "TEMPLATE"}, ["email_address is a required property"]),
        ("sms", {"phone_number": "07700900123"}, ["template_id is a required property"]),
        ("email", {}, ["email_address is a required property", "template_id is a required property"]),
        ("sms", {"phone_number": "07700900123", "template_id": "not-a-uuid"}, ["template_id is not a valid UUID"]),
        ("sms", {"phone_number": "07700900123", "template_id": 7}, ["template_id is not a valid UUID"]),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "template": "x"},
            ["Additional properties are not allowed (template was unexpected)"],
        ),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "personalisation": "not_a_dict"},
            ["personalisation not_a_dict is not of type object"],
        ),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "reference": "r" * 1001},
            [f"reference {'r' * 1001} is too long"],
        ),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "sms_sender_id": "nope"},
            ["sms_sender_id is not a valid UUID"],
        ),
        (
            "email",
            {"email_address": "a@example.com", "template_id": "TEMPLATE", "email_reply_to_id": "nope"},
            ["email_reply_to_id is not a valid UUID"],
        ),
        (
            "email",
            {"email_address": "not-an-address", "template_id": "TEMPLATE"},
            ["email_address Not a valid email address"],
        ),
        (
            "email",
            {"email_address": "a@example.com", "template_id": "TEMPLATE", "one_click_unsubscribe_url": "http://x.com"},
            ["one_click_unsubscribe_url is not a valid https url"],
        ),
        (
            "email",
            {"email_address": "a@example.com", "template_id": "TEMPLATE", "one_click_unsubscribe_url": "https://"},
            ["one_click_unsubscribe_url is not a valid https url"],
        ),
        (
            "email",
            {
                "email_address": "a@example.com",
                "template_id": "TEMPLATE",
                "one_click_unsubscribe_url": "https://é.example/",
            },
            ["one_click_unsubscribe_url is not a valid https url"],
        ),
        (
            "email",
            {
                "email_address": "a@example.com",
                "template_id": "TEMPLATE",
                "one_click_unsubscribe_url": "https://x.example/" + "a" * 851,
            },
            ["one_click_unsubscribe_url is not a valid https url"],
        ),
        (
            "email",
            {"email_address": "a@example.com", "template_id": "TEMPLATE", "sanitise_content_for": "name"},
            ["sanitise_content_for name is not of type array"],
        ),
        ("sms", [], ["[] is not of type object"]),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "reference": "a\x00b"},
            ["reference must not contain the NUL character"],
        ),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "scheduled_for": "soon"},
            [
                "scheduled_for datetime format is invalid. It must be a valid ISO8601 date time format, "
                "https://en.wikipedia.org/wiki/ISO_8601"
            ],
        ),
        (
            "sms",
            {"phone_number": "07700900123", "template_id": "TEMPLATE", "scheduled_for": "2001-01-01T10:00:00"},
            ["scheduled_for datetime can not be in the past"],
        ),
    ],
    ids=[
        "no-phone-number",
        "no-email-address",
        "no-template-id",
        "nothing",
        "bad-template-id",
        "template-id-not-a-string",
        "unknown-field",
        "personalisation-not-an-object",
        "reference-too-long",
        "bad-sms-sender-id",
        "bad-email-reply-to-id",
        "bad-email-address",
        "http-unsubscribe-url",
        "unsubscribe-url-without-host",
        "unsubscribe-url-not-ascii",
        "unsubscribe-url-longer-than-an-ses-header",
        "sanitise-content-for-not-a-list",
        "body-not-an-object",
        "reference-with-nul",
        "scheduled-for-not-a-date",
        "scheduled-for-in-the-past",
    ],
)
def test_a_body_breaking_the_schema_is_refused_with_each_violation(
    client: FlaskClient, sender: Sender, notification_type: str, body: Any, messages: list[str]
) -> None:
    if isinstance(body, dict) and body.get("template_id") == "TEMPLATE":
        body["template_id"] = str(sender.sms_template.id)

    response = post_send(client, sender.api_key, notification_type, body)

    assert response.status_code == 400
    assert errors_of(response) == [{"error": "ValidationError", "message": message} for message in messages]


@pytest.mark.parametrize(
    ("phone_number", "message"),
    [
        ("0770090012", "phone_number Not enough digits"),
        ("077009001234", "phone_number Too many digits"),
        ("02079460000", "phone_number Not a UK mobile number"),
        ("0770090O123", "phone_number Must not contain letters or symbols"),
        ("+999 1234 5678", "phone_number Not a valid country prefix"),
    ],
    ids=["not-enough-digits", "too-many-digits", "not-a-uk-mobile", "letters", "bad-country-prefix"],
)
def test_a_bad_phone_number_is_refused_by_the_schema_with_the_legacy_words(
    client: FlaskClient, sender: Sender, phone_number: str, message: str
) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number=phone_number))

    assert refusal(response) == bad_request(message, "ValidationError")


@pytest.mark.parametrize(
    "data",
    [b"not json", b"", b'{"phone_number": ', b'{"a": NaN}', b"\xff\xfe\xfa"],
    ids=["text", "empty", "cut", "nan", "bytes"],
)
def test_a_body_that_is_not_json_is_refused(client: FlaskClient, sender: Sender, data: bytes) -> None:
    response = post_send(client, sender.api_key, "sms", data=data)

    assert refusal(response) == bad_request("Invalid JSON supplied in POST data")


def test_a_deeply_nested_body_is_refused_as_invalid_json(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", data="[" * 100_000)

    assert refusal(response) == bad_request("Invalid JSON supplied in POST data")


# Refusals by the service's permissions, the template and the sender


def test_a_service_without_sms_permission_is_refused(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(permissions=["email"])

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert refusal(response) == bad_request("Service is not allowed to send text messages")


def test_a_service_without_email_permission_is_refused(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(permissions=["sms"])

    response = post_send(client, sender.api_key, "email", email_body(sender))

    assert refusal(response) == bad_request("Service is not allowed to send emails")


def test_an_unknown_template_is_refused(client: FlaskClient, sender: Sender) -> None:
    other = create_sender()

    response = post_send(client, sender.api_key, "sms", sms_body(sender, template_id=str(other.sms_template.id)))

    assert refusal(response) == bad_request("Template not found")


@pytest.mark.parametrize(
    ("notification_type", "message"),
    [
        ("sms", "email template is not suitable for sms notification"),
        ("email", "sms template is not suitable for email notification"),
    ],
    ids=["email-template-for-sms", "sms-template-for-email"],
)
def test_a_template_of_the_wrong_type_is_refused(
    client: FlaskClient, sender: Sender, notification_type: str, message: str
) -> None:
    if notification_type == "sms":
        body = sms_body(sender, template_id=str(sender.email_template.id))
    else:
        body = email_body(sender, template_id=str(sender.sms_template.id))

    response = post_send(client, sender.api_key, notification_type, body)

    assert refusal(response) == bad_request(message)


def test_a_deleted_template_is_refused(client: FlaskClient, sender: Sender) -> None:
    dao_update_template(sender.sms_template, archived=True)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert refusal(response) == bad_request("Template has been deleted")


def test_missing_personalisation_is_listed(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "email", email_body(sender, personalisation={"other": "x"}))

    assert refusal(response) == bad_request("Missing personalisation: name, body")


def test_an_empty_message_is_refused(client: FlaskClient, sender: Sender) -> None:
    template = create_template(service=sender.service, content="((name))")

    response = post_send(
        client, sender.api_key, "sms", sms_body(sender, template_id=str(template.id), personalisation={"name": " "})
    )

    assert refusal(response) == bad_request("Your message is empty.")


@pytest.mark.parametrize(
    ("notification_type", "field"), [("sms", "sms_sender_id"), ("email", "email_reply_to_id")], ids=["sms", "email"]
)
def test_a_sender_of_another_service_is_refused(
    client: FlaskClient, sender: Sender, notification_type: str, field: str
) -> None:
    other = create_sender()
    if notification_type == "sms":
        sender_id = create_sms_sender(service=other.service).id
        body = sms_body(sender, sms_sender_id=str(sender_id))
    else:
        sender_id = create_email_reply_to(service=other.service).id
        body = email_body(sender, email_reply_to_id=str(sender_id))

    response = post_send(client, sender.api_key, notification_type, body)

    assert refusal(response) == bad_request(
        f"{field} {sender_id} does not exist in database for service id {sender.service.id}"
    )


# Refusals by recipient and length


def test_a_trial_service_is_refused_a_recipient_outside_its_guest_list(
    client: FlaskClient, notify_db_session: None
) -> None:
    sender = create_sender(restricted=True)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert refusal(response) == bad_request(TRIAL_MODE)


@pytest.mark.parametrize(
    ("notification_type", "recipient"),
    [("sms", "+447700900123"), ("email", "SOMEONE@example.com")],
    ids=["number-written-differently", "address-in-other-case"],
)
def test_a_trial_service_may_send_to_its_guest_list(
    client: FlaskClient, notify_db_session: None, notification_type: str, recipient: str
) -> None:
    sender = create_sender(restricted=True)
    set_guest_list(service=sender.service, recipients=[("mobile", "07700 900123"), ("email", "someone@example.com")])
    body = (
        sms_body(sender, phone_number=recipient)
        if notification_type == "sms"
        else email_body(sender, email_address=recipient)
    )

    response = post_send(client, sender.api_key, notification_type, body)

    assert response.status_code == 201


def test_a_team_key_is_refused_a_recipient_outside_the_guest_list(client: FlaskClient, sender: Sender) -> None:
    team_key = sender.with_key("team").api_key

    response = post_send(client, team_key, "email", email_body(sender))

    assert refusal(response) == bad_request(TEAM_KEY)


def test_a_test_key_of_a_trial_service_may_send_to_anyone(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(restricted=True, key_type="test")

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert response.status_code == 201


def test_a_service_without_international_sms_is_refused_an_international_number(
    client: FlaskClient, notify_db_session: None
) -> None:
    sender = create_sender(permissions=["sms"])

    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0123"))

    assert refusal(response) == bad_request("Cannot send to international mobile numbers")


def test_an_sms_over_918_characters_is_refused_with_its_length(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, personalisation={"name": "x" * 913}))

    assert refusal(response) == bad_request(
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 919 characters long."
    )


def test_an_email_over_2000000_bytes_is_refused_with_its_size(client: FlaskClient, sender: Sender) -> None:
    response = post_send(
        client, sender.api_key, "email", email_body(sender, personalisation={"name": "Jo", "body": "x" * 2_000_000})
    )

    assert refusal(response) == bad_request(
        "Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2000010 bytes."
    )


# The order of the checks (notify-reference §1.9)


def test_the_schema_is_checked_before_the_services_permission(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(permissions=[])

    response = post_send(client, sender.api_key, "sms", {"template_id": str(sender.sms_template.id)})

    assert refusal(response) == bad_request("phone_number is a required property", "ValidationError")


def test_the_services_permission_is_checked_before_the_template(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(permissions=["email"])
    other = create_sender()

    response = post_send(client, sender.api_key, "sms", sms_body(sender, template_id=str(other.sms_template.id)))

    assert refusal(response) == bad_request("Service is not allowed to send text messages")


def test_the_template_is_checked_before_the_sender(client: FlaskClient, sender: Sender) -> None:
    sender_id = create_sms_sender(service=create_sender().service).id

    response = post_send(
        client, sender.api_key, "sms", sms_body(sender, personalisation={}, sms_sender_id=str(sender_id))
    )

    assert refusal(response) == bad_request("Missing personalisation: name")


def test_the_sender_is_checked_before_the_recipient(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(restricted=True)
    sender_id = create_sms_sender(service=create_sender().service).id

    response = post_send(client, sender.api_key, "sms", sms_body(sender, sms_sender_id=str(sender_id)))

    assert refusal(response)[1][0]["message"].startswith(f"sms_sender_id {sender_id} does not exist")


def test_trial_mode_is_checked_before_international_permission(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(restricted=True, permissions=["sms"])

    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0123"))

    assert refusal(response) == bad_request(TRIAL_MODE)


def test_the_recipient_is_checked_before_the_length(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(restricted=True)

    response = post_send(client, sender.api_key, "sms", sms_body(sender, personalisation={"name": "x" * 1000}))

    assert refusal(response) == bad_request(TRIAL_MODE)


def test_an_empty_message_is_refused_before_its_sender_or_recipient(
    client: FlaskClient, notify_db_session: None
) -> None:
    sender = create_sender(restricted=True)
    template = create_template(service=sender.service, content="((name))")

    response = post_send(
        client, sender.api_key, "sms", sms_body(sender, template_id=str(template.id), personalisation={"name": ""})
    )

    assert refusal(response) == bad_request("Your message is empty.")


# Authentication through the real endpoint (notify-reference §2.2)


def test_a_request_without_a_token_is_refused(client: FlaskClient, sender: Sender) -> None:
    response = client.post("/v2/notifications/sms", json=sms_body(sender))

    assert refusal(response) == (
        401,
        [{"error": "AuthError", "message": "Unauthorized: authentication token must be provided"}],
    )


@pytest.mark.parametrize(
    ("authorization", "status", "message"),
    [
        ("Basic abc", 401, "Unauthorized: authentication bearer scheme must be used"),
        (
            "Bearer not-a-jwt",
            403,
            "Invalid token: make sure your API token matches the example at "
            "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header",
        ),
    ],
    ids=["not-bearer", "not-a-jwt"],
)
def test_a_malformed_authorization_header_is_refused(
    client: FlaskClient, sender: Sender, authorization: str, status: int, message: str
) -> None:
    response = client.post("/v2/notifications/sms", json=sms_body(sender), headers={"Authorization": authorization})

    assert refusal(response) == (status, [{"error": "AuthError", "message": message}])


def test_a_token_signed_by_an_unknown_key_is_refused(client: FlaskClient, sender: Sender) -> None:
    token = create_jwt_token(str(uuid.uuid4()), str(sender.service.id))

    response = client.post("/v2/notifications/sms", json=sms_body(sender), headers={"Authorization": f"Bearer {token}"})

    assert refusal(response) == (403, [{"error": "AuthError", "message": "Invalid token: API key not found"}])


def test_a_token_from_a_skewed_clock_is_refused(client: FlaskClient, sender: Sender) -> None:
    response = client.post(
        "/v2/notifications/sms",
        json=sms_body(sender),
        headers=[service_auth_header(sender.api_key, issued_at=time.time() - 60)],
    )

    assert refusal(response) == (
        403,
        [{"error": "AuthError", "message": "Error: Your system clock must be accurate to within 30 seconds"}],
    )


def test_authentication_is_checked_before_the_body(client: FlaskClient, notify_db_session: None) -> None:
    response = client.post("/v2/notifications/email", data=b"not json")

    assert response.status_code == 401


def token_without_iss(sender: Sender) -> str:
    return jwt.encode({"iat": int(time.time())}, sender.api_key.secret, algorithm="HS256")


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (token_without_iss, "Invalid token: iss field not provided"),
        (
            lambda sender: create_jwt_token(sender.api_key.secret, "not-a-uuid"),
            "Invalid token: service id is not the right data type",
        ),
        (
            lambda sender: create_jwt_token(sender.api_key.secret, str(uuid.uuid4())),
            "Invalid token: service not found",
        ),
        (
            lambda sender: create_jwt_token(sender.api_key.secret, str(sender.service.id), algorithm="HS512"),
            "Invalid token: algorithm used is not HS256",
        ),
        (
            lambda sender: create_jwt_token(sender.api_key.secret, str(sender.service.id), issued_at=time.time() + 60),
            "Error: Your system clock must be accurate to within 30 seconds",
        ),
    ],
    ids=["no-iss", "iss-not-a-uuid", "unknown-service", "not-hs256", "issued-in-the-future"],
)
def test_a_bad_token_is_refused_with_notifys_words(
    client: FlaskClient, sender: Sender, make_token: Any, message: str
) -> None:
    response = client.post(
        "/v2/notifications/sms", json=sms_body(sender), headers={"Authorization": f"Bearer {make_token(sender)}"}
    )

    assert refusal(response) == (403, [{"error": "AuthError", "message": message}])


def test_a_revoked_key_is_refused(client: FlaskClient, sender: Sender) -> None:
    dao_revoke_api_key(sender.service.id, sender.api_key.id)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert refusal(response) == (403, [{"error": "AuthError", "message": "Invalid token: API key revoked"}])


def test_a_service_without_keys_is_refused(client: FlaskClient, notify_db_session: None) -> None:
    service = create_service()

    response = client.post(
        "/v2/notifications/sms",
        json={},
        headers={"Authorization": f"Bearer {create_jwt_token(str(uuid.uuid4()), str(service.id))}"},
    )

    assert refusal(response) == (403, [{"error": "AuthError", "message": "Invalid token: service has no API keys"}])


def test_an_archived_service_is_refused(client: FlaskClient, sender: Sender) -> None:
    dao_update_service(dao_get_service_by_id(sender.service.id), active=False)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert refusal(response) == (403, [{"error": "AuthError", "message": "Invalid token: service is archived"}])
