"""POST /v2/notifications/letter: templated letters in Notify's order, with its words (letters.md §1–2)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient

from app.dao.notifications_dao import dao_get_notification_by_id
from app.models import ApiKey, Service, Template
from tests.contract import validate_against_client_schema
from tests.factories import create_api_key, create_letter_contact, create_service, create_template
from tests.v2.notifications.send_api import errors_of, post_send, queued_tasks, stored_notification_count

CONTACT_BLOCK = "Government Digital Service\nThe White Chapel Building\nLondon\nE1 8QS"
ADDRESS = {"address_line_1": "A Person", "address_line_2": "1 Street", "postcode": "  sw1a  1aa "}
HOST = "http://127.0.0.1:6011"


@dataclass(frozen=True)
class LetterSender:
    service: Service
    api_key: ApiKey
    template: Template

    def key(self, key_type: str) -> ApiKey:
        return create_api_key(service=self.service, key_type=key_type)


def create_letter_sender(*, permissions: list[str] | None = None, **settings: Any) -> LetterSender:
    service = create_service(permissions=["letter", "sms", "email"] if permissions is None else permissions, **settings)
    contact = create_letter_contact(service=service, contact_block=CONTACT_BLOCK)
    template = create_template(
        service=service,
        template_type="letter",
        subject="Your ((thing)) - updated",
        content="Hello ((address_line_1))\n\n* one\n* two",
        service_letter_contact_id=contact.id,
    )
    return LetterSender(service, create_api_key(service=service), template)


@pytest.fixture
def sender(notify_db_session: None) -> LetterSender:
    return create_letter_sender()


def letter_body(sender: LetterSender, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "template_id": str(sender.template.id),
        "personalisation": {**ADDRESS, "thing": "Tax & NI"},
    }
    body.update(fields)
    return body


def test_a_templated_letter_is_accepted_with_notifys_answer(client: FlaskClient, sender: LetterSender) -> None:
    response = post_send(client, sender.api_key, "letter", letter_body(sender, reference="ref-1"))

    assert response.status_code == 201
    body = response.get_json()
    validate_against_client_schema(body, "notification_schemas.post_letter_response.json")
    assert body == {
        "id": body["id"],
        "reference": "ref-1",
        "content": {"body": "Hello A Person\n\n* one\n* two", "subject": "Your Tax &amp; NI \u2013 updated"},
        "uri": f"{HOST}/v2/notifications/{body['id']}",
        "template": {
            "id": str(sender.template.id),
            "version": 1,
            "uri": f"{HOST}/services/{sender.service.id}/templates/{sender.template.id}",
        },
        "scheduled_for": None,
    }


def test_a_templated_letter_is_stored_created_and_queued_for_its_pdf(client: FlaskClient, sender: LetterSender) -> None:
    response = post_send(client, sender.api_key, "letter", letter_body(sender))

    notification = dao_get_notification_by_id(response.get_json()["id"])
    assert (notification.status, notification.notification_type, notification.postage) == (
        "created",
        "letter",
        "second",
    )
    assert (notification.to, notification.normalised_to) == ("A Person\n1 Street\nSW1A 1AA", "aperson1streetsw1a1aa")
    assert notification.personalisation["postcode"] == "  sw1a  1aa "  # stored as sent
    assert notification.reply_to_text == CONTACT_BLOCK
    assert re.fullmatch(r"[A-Z0-9]{16}", notification.reference or "")
    assert (notification.billable_units, notification.international) == (0, False)
    assert queued_tasks("create-letters-pdf-tasks") == [("get-pdf-for-templated-letter", [str(notification.id)])]


def test_an_international_address_sets_the_postage_zone(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_letter_sender(permissions=["letter", "international_letters"])
    personalisation = {
        "address_line_1": "A Person",
        "address_line_2": "1 Rue",
        "address_line_3": "France",
        "thing": "x",
    }

    response = post_send(client, sender.api_key, "letter", letter_body(sender, personalisation=personalisation))

    notification = dao_get_notification_by_id(response.get_json()["id"])
    assert (notification.postage, notification.international, notification.to.splitlines()[-1]) == (
        "europe",
        True,
        "France",
    )


def test_a_template_postage_is_used_for_a_uk_address(client: FlaskClient, sender: LetterSender) -> None:
    template = create_template(service=sender.service, template_type="letter", content="Hi", postage="first")

    response = post_send(client, sender.api_key, "letter", letter_body(sender, template_id=str(template.id)))

    assert dao_get_notification_by_id(response.get_json()["id"]).postage == "first"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"personalisation": None}, "personalisation None is not of type object"),
        ({"template_id": "nope"}, "template_id is not a valid UUID"),
        ({"postage": "first"}, "Additional properties are not allowed (postage was unexpected)"),
        ({"reference": "x" * 1001}, None),
    ],
    ids=["personalisation-type", "template-id", "postage-not-allowed", "reference-too-long"],
)
def test_the_request_schema_is_notifys(
    client: FlaskClient, sender: LetterSender, change: dict[str, Any], message: str | None
) -> None:
    response = post_send(client, sender.api_key, "letter", letter_body(sender, **change))

    assert response.status_code == 400
    assert errors_of(response)[0]["error"] == "ValidationError"
    if message is not None:
        assert errors_of(response)[0]["message"] == message
    assert stored_notification_count() == 0


def test_personalisation_is_required(client: FlaskClient, sender: LetterSender) -> None:
    response = post_send(client, sender.api_key, "letter", {"template_id": str(sender.template.id)})

    assert errors_of(response) == [{"error": "ValidationError", "message": "personalisation is a required property"}]


@pytest.mark.parametrize(
    ("key_type", "restricted", "status", "message"),
    [
        ("team", False, 403, "Cannot send letters with a team api key"),
        ("normal", True, 403, "Cannot send letters when service is in trial mode"),
        ("team", True, 403, "Cannot send letters with a team api key"),
    ],
    ids=["team-key", "trial-live-key", "trial-team-key"],
)
def test_team_keys_and_trial_services_are_refused(
    client: FlaskClient, notify_db_session: None, key_type: str, restricted: bool, status: int, message: str
) -> None:
    sender = create_letter_sender(restricted=restricted)

    response = post_send(client, sender.key(key_type), "letter", letter_body(sender))

    assert (response.status_code, errors_of(response)) == (status, [{"error": "BadRequestError", "message": message}])
    assert stored_notification_count() == 0


def test_a_test_key_on_a_trial_service_sends_a_letter_that_is_never_printed(
    client: FlaskClient, notify_db_session: None
) -> None:
    sender = create_letter_sender(restricted=True)

    response = post_send(client, sender.key("test"), "letter", letter_body(sender))

    assert response.status_code == 201
    assert dao_get_notification_by_id(response.get_json()["id"]).status == "sending"


def test_a_service_without_the_letter_permission_is_refused(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_letter_sender(permissions=["sms"])

    response = post_send(client, sender.api_key, "letter", letter_body(sender))

    assert errors_of(response) == [{"error": "BadRequestError", "message": "Service is not allowed to send letters"}]


def test_a_sms_template_is_not_suitable(client: FlaskClient, sender: LetterSender) -> None:
    sms_template = create_template(service=sender.service)

    response = post_send(client, sender.api_key, "letter", letter_body(sender, template_id=str(sms_template.id)))

    assert errors_of(response) == [
        {"error": "BadRequestError", "message": "sms template is not suitable for letter notification"}
    ]


def test_placeholders_of_the_contact_block_are_required(client: FlaskClient, sender: LetterSender) -> None:
    contact = create_letter_contact(service=sender.service, contact_block="((contact block))")
    template = create_template(
        service=sender.service, template_type="letter", content="Hi", service_letter_contact_id=contact.id
    )

    response = post_send(client, sender.api_key, "letter", letter_body(sender, template_id=str(template.id)))

    assert errors_of(response) == [{"error": "BadRequestError", "message": "Missing personalisation: contact block"}]


def test_the_address_is_checked_after_the_key(client: FlaskClient, sender: LetterSender) -> None:
    body = letter_body(sender, personalisation={"address_line_1": "A Person", "postcode": "SW1A 1AA", "thing": "x"})

    response = post_send(client, sender.api_key, "letter", body)

    assert (response.status_code, errors_of(response)) == (
        400,
        [{"error": "ValidationError", "message": "Address must be at least 3 lines"}],
    )


def test_a_country_needs_the_international_letters_permission(client: FlaskClient, sender: LetterSender) -> None:
    personalisation = {"address_line_1": "A Person", "address_line_2": "1 Rue", "postcode": "France", "thing": "x"}

    response = post_send(client, sender.api_key, "letter", letter_body(sender, personalisation=personalisation))

    assert errors_of(response) == [{"error": "ValidationError", "message": "Must be a real UK postcode"}]


def test_a_file_in_personalisation_is_refused(client: FlaskClient, sender: LetterSender) -> None:
    personalisation = {**ADDRESS, "thing": {"file": "aGk=", "filename": "a.pdf"}}

    response = post_send(client, sender.api_key, "letter", letter_body(sender, personalisation=personalisation))

    assert errors_of(response) == [{"error": "BadRequestError", "message": "Can only send a file by email"}]


def test_the_daily_letter_limit_is_applied(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_letter_sender(letter_message_limit=1)
    assert post_send(client, sender.api_key, "letter", letter_body(sender)).status_code == 201

    response = post_send(client, sender.api_key, "letter", letter_body(sender))

    assert (response.status_code, errors_of(response)) == (
        429,
        [{"error": "TooManyRequestsError", "message": "Exceeded send limits (letter: 1) for today"}],
    )


def test_a_precompiled_letter_is_checked_against_its_own_schema(client: FlaskClient, sender: LetterSender) -> None:
    response = post_send(client, sender.api_key, "letter", {"content": "aGk=", "postage": "europe"})

    assert sorted(error["message"] for error in errors_of(response)) == [
        "postage invalid. It must be either first, second or economy.",
        "reference is a required property",
    ]


def test_a_precompiled_letter_with_bad_base64_is_refused(client: FlaskClient, sender: LetterSender) -> None:
    response = post_send(client, sender.api_key, "letter", {"content": "hi", "reference": "r"})

    assert errors_of(response) == [
        {"error": "BadRequestError", "message": "Cannot decode letter content (invalid base64 encoding)"}
    ]
