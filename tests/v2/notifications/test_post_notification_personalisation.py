"""Personalisation values through POST /v2/notifications/*: objects are never written into a message, files are
checked by GOV.UK Notify's send-a-file rules (and refused for a service without a contact link; sending one is in
test_post_notification_files.py), sizes are bounded before anything is filled."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import create_template
from tests.v2.notifications.send_api import (
    Sender,
    create_sender,
    email_body,
    errors_of,
    post_send,
    sms_body,
    stored_notification_count,
)

PDF = base64.b64encode(b"%PDF-1.4 a small file").decode()
NOT_SET_UP = (
    "Send files by email has not been set up - add contact details for your service at "
    "https://www.notifications.service.gov.uk/services/{service_id}/service-settings/send-files-by-email"
)


@pytest.fixture
def sender(notify_db_session: None) -> Sender:
    return create_sender()


def refused_with(response: Any) -> tuple[int, list[str]]:
    return response.status_code, [error["message"] for error in errors_of(response)]


def send_email(client: FlaskClient, sender: Sender, **personalisation: Any) -> Any:
    values = {"name": "Jo", "body": "See you soon", **personalisation}
    return post_send(client, sender.api_key, "email", email_body(sender, personalisation=values))


def test_a_file_is_refused_until_the_service_has_a_contact_link(client: FlaskClient, sender: Sender) -> None:
    prepared_upload = {"file": PDF, "filename": "letter.pdf", "confirm_email_before_download": None}

    response = send_email(client, sender, body=prepared_upload)

    assert refused_with(response) == (400, [NOT_SET_UP.format(service_id=sender.service.id)])
    assert stored_notification_count() == 0


def test_a_file_value_is_refused_even_when_the_template_does_not_use_it(client: FlaskClient, sender: Sender) -> None:
    response = send_email(client, sender, unused={"file": PDF, "filename": "a.pdf"})

    assert refused_with(response) == (400, [NOT_SET_UP.format(service_id=sender.service.id)])


@pytest.mark.parametrize(
    ("file_value", "message"),
    [
        ({"file": PDF, "filename": "x" * 97 + ".pdf"}, "`filename` cannot be longer than 100 characters"),
        ({"file": PDF, "filename": "letter"}, "`filename` must end with a file extension. For example, filename.csv"),
        (
            {"file": PDF, "filename": "run.exe"},
            "Unsupported file type '.exe'. Supported types are: "
            "'.csv, .doc, .docx, .jpeg, .jpg, .json, .odt, .pdf, .png, .rtf, .txt, .xlsx'",
        ),
        (
            {"file": PDF, "retention_period": "79 weeks"},
            "Unsupported value for retention_period '79 weeks'. Supported periods are from 1 to 78 weeks.",
        ),
        (
            {"file": PDF, "confirm_email_before_download": "yes"},
            "Unsupported value for confirm_email_before_download: 'yes'. Use a boolean true or false value.",
        ),
        ({"file": "not base64!"}, "File is not base64 encoded"),
        ({"file": base64.b64encode(b"\0" * (2 * 1024 * 1024 + 1)).decode()}, "File is larger than 2MB"),
    ],
    ids=["long-filename", "no-extension", "type", "retention", "confirm", "not-base64", "too-large"],
)
def test_a_file_breaking_a_send_a_file_rule_is_refused_with_notifys_message(
    client: FlaskClient, sender: Sender, file_value: dict[str, Any], message: str
) -> None:
    assert refused_with(send_email(client, sender, body=file_value)) == (400, [message])


def test_a_file_cannot_be_sent_by_text_message(client: FlaskClient, sender: Sender) -> None:
    body = sms_body(sender, personalisation={"name": {"file": PDF, "filename": "a.pdf"}})

    assert refused_with(post_send(client, sender.api_key, "sms", body)) == (400, ["Can only send a file by email"])


@pytest.mark.parametrize(
    "value",
    [{"a": 1}, {}, [{"a": 1}], [["nested"]]],
    ids=["object", "empty-object", "list-of-objects", "list-of-lists"],
)
@pytest.mark.parametrize("notification_type", ["sms", "email"])
def test_an_object_is_never_written_into_a_message(
    client: FlaskClient, sender: Sender, notification_type: str, value: Any
) -> None:
    body = (sms_body if notification_type == "sms" else email_body)(sender, personalisation={"name": value})

    response = post_send(client, sender.api_key, notification_type, body)

    assert refused_with(response) == (
        400,
        [
            "personalisation name must be text, a number, true or false, null or a list of those "
            "(an object is accepted only as a file to send by email)"
        ],
    )
    assert stored_notification_count() == 0


@pytest.mark.parametrize(("value", "written"), [(5, "5"), (1.5, "1.5"), (True, "True"), (["a", 2], "a and 2")])
def test_numbers_booleans_and_lists_are_written_as_notify_writes_them(
    client: FlaskClient, sender: Sender, value: Any, written: str
) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender, personalisation={"name": value}))

    assert response.status_code == 201
    assert response.get_json()["content"]["body"].endswith(f"Hello {written}")


def test_personalisation_over_twice_the_longest_email_is_refused_before_it_is_sanitised(
    client: FlaskClient, sender: Sender
) -> None:
    response = send_email(client, sender, unused="x" * 4_000_000)

    assert refused_with(response) == (
        400,
        [
            "Personalisation is too long. Personalisation cannot be longer than 4000000 characters. "
            "Your personalisation is 4000028 characters long."
        ],
    )


def test_a_value_repeated_past_the_email_limit_is_refused_without_filling(client: FlaskClient, sender: Sender) -> None:
    """50,000 uses of a 1 MB value would fill to 50 GB: the size is measured, never built."""
    template = create_template(service=sender.service, template_type="email", subject="s", content="((a))" * 50_000)
    body = email_body(sender, template_id=str(template.id), personalisation={"a": "é" * 500_000})

    response = post_send(client, sender.api_key, "email", body)

    assert refused_with(response) == (
        400,
        ["Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 50000000000 bytes."],
    )


def test_a_value_repeated_past_the_sms_bound_is_refused_without_filling(client: FlaskClient, sender: Sender) -> None:
    template = create_template(service=sender.service, content="((a))" * 100)
    body = sms_body(sender, template_id=str(template.id), personalisation={"a": " " * 1_000_000 + "x"})

    response = post_send(client, sender.api_key, "sms", body)

    assert refused_with(response) == (
        400,
        [
            "Your message is too long. Text messages cannot be longer than 918 characters. "
            "Your message is 100000100 characters long."
        ],
    )


def test_an_email_of_exactly_the_limit_is_accepted(client: FlaskClient, sender: Sender) -> None:
    template = create_template(service=sender.service, template_type="email", subject="s", content="((a))((a))")

    response = post_send(
        client,
        sender.api_key,
        "email",
        email_body(sender, template_id=str(template.id), personalisation={"a": "a" * 1_000_000}),
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "personalisation",
    [{"name": "Jo\u0000"}, {"name": ["a", "b\u0000"]}, {"name": "Jo", "na\u0000me": "x"}],
    ids=["in-a-value", "in-a-list-item", "in-a-key"],
)
@pytest.mark.parametrize("notification_type", ["sms", "email"])
def test_a_nul_character_in_personalisation_is_refused_before_anything_is_stored(
    client: FlaskClient, sender: Sender, notification_type: str, personalisation: dict[str, Any]
) -> None:
    body = (sms_body if notification_type == "sms" else email_body)(sender, personalisation=personalisation)

    response = post_send(client, sender.api_key, notification_type, body)

    status, messages = refused_with(response)
    assert (status, len(messages)) == (400, 1)
    assert messages[0].endswith("must not contain the NUL character")
    assert stored_notification_count() == 0
