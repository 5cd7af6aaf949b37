"""GOV.UK Notify's official Python client (notifications-python-client from PyPI), unchanged, against a live Herald
under gunicorn: every method it has for SMS and email, each answer checked with the clients' JSON schemas."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTPError

from app.clock import utc_now
from app.dao.api_key_dao import dao_revoke_api_key
from app.dao.templates_dao import dao_update_template
from tests.contract import validate_against_client_schema
from tests.e2e.live_service import LiveService, client_key, has_route
from tests.factories import create_api_key, create_inbound_sms, create_notification, create_notifications

pytestmark = pytest.mark.e2e


@pytest.fixture
def notify_client(live_herald_url: str, live_service: LiveService) -> Iterator[NotificationsAPIClient]:
    client = NotificationsAPIClient(live_service.key_string, base_url=live_herald_url)
    yield client
    client.request_session.close()


@pytest.fixture
def sends_have_landed(notify_api: Flask) -> None:
    for path in ("/v2/notifications/sms", "/v2/notifications/email"):
        if not has_route(notify_api, path, "POST"):
            pytest.skip(f"POST {path} has not landed yet: the send methods cannot be checked")


def refusal(call: Callable[[], object]) -> HTTPError:
    """Run ``call`` and return the HTTPError the client raised."""
    with pytest.raises(HTTPError) as raised:
        call()
    return raised.value


# Templates


def test_get_template(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    template = notify_client.get_template(str(live_service.email_template.id))

    validate_against_client_schema(template, "template_schemas.get_template_by_id_response")
    assert template["subject"] == "Hi ((name))"
    assert template["personalisation"] == {"name": {"required": True}, "body": {"required": True}}


def test_get_template_version(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    dao_update_template(live_service.sms_template, content="Changed ((name))")

    first = notify_client.get_template_version(str(live_service.sms_template.id), 1)
    latest = notify_client.get_template(str(live_service.sms_template.id))

    validate_against_client_schema(first, "template_schemas.get_template_by_id_response")
    assert (first["version"], first["body"]) == (1, "Hello ((name)), your code is ((code))")
    assert (latest["version"], latest["body"]) == (2, "Changed ((name))")


def test_get_all_templates(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    every_template = notify_client.get_all_templates()
    email_only = notify_client.get_all_templates(template_type="email")

    validate_against_client_schema(every_template, "templates_schemas.get_all_template_response")
    assert {template["id"] for template in every_template["templates"]} == {
        str(live_service.sms_template.id),
        str(live_service.email_template.id),
        str(live_service.letter_template.id),
    }
    assert [template["id"] for template in email_only["templates"]] == [str(live_service.email_template.id)]


def test_post_template_preview(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    preview = notify_client.post_template_preview(
        str(live_service.email_template.id), personalisation={"name": "Jo", "body": "See you"}
    )

    validate_against_client_schema(preview, "template_schemas.post_template_preview_response")
    assert (preview["subject"], preview["body"]) == ("Hi Jo", "Dear Jo,\n\nSee you")
    assert "See you" in preview["html"]


def test_get_all_template_versions_is_for_the_admin_api_only(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    error = refusal(lambda: notify_client.get_all_template_versions(str(live_service.sms_template.id)))

    assert error.status_code in (401, 403)


# Reading notifications


def test_get_notification_by_id(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    created = create_notification(
        template=live_service.sms_template, personalisation={"name": "Jo", "code": "42"}, client_reference="abc"
    )

    notification = notify_client.get_notification_by_id(str(created.id))

    validate_against_client_schema(notification, "notification_schemas.get_notification_response")
    assert (notification["body"], notification["reference"]) == ("Hello Jo, your code is 42", "abc")


def test_get_all_notifications_with_every_filter(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    wanted = create_notification(
        template=live_service.email_template,
        status="created",
        client_reference="ref 1&2",
        personalisation={"name": "Jo", "body": "Hi"},
        job_id=uuid.uuid4(),
        job_row_number=0,
    )
    create_notification(template=live_service.sms_template, status="created", client_reference="ref 1&2")

    page = notify_client.get_all_notifications(
        status="created", template_type="email", reference="ref 1&2", include_jobs=True
    )

    validate_against_client_schema(page, "notification_schemas.get_notifications_response")
    assert [notification["id"] for notification in page["notifications"]] == [str(wanted.id)]


def test_get_all_notifications_with_older_than(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    notifications = create_notifications(template=live_service.sms_template, count=3)

    page = notify_client.get_all_notifications(older_than=str(notifications[0].id))

    assert [item["id"] for item in page["notifications"]] == [str(item.id) for item in notifications[1:]]


def test_get_all_notifications_iterator_walks_every_page(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    notifications = create_notifications(template=live_service.sms_template, count=260)
    create_notifications(
        template=live_service.email_template, count=5, newest_created_at=utc_now() + timedelta(hours=1)
    )

    walked = list(notify_client.get_all_notifications_iterator(template_type="sms", status="delivered"))

    assert [item["id"] for item in walked] == [str(item.id) for item in notifications]


def test_get_received_texts(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    message = create_inbound_sms(service=live_service.service, content="STOP")

    page = notify_client.get_received_texts()
    older = notify_client.get_received_texts(older_than=str(message.id))

    validate_against_client_schema(page, "inbound_sms_schemas.get_inbound_sms_response")
    assert [item["content"] for item in page["received_text_messages"]] == ["STOP"]
    assert older["received_text_messages"] == []


def test_get_received_texts_iterator_walks_every_page(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    now = utc_now()
    messages = [
        create_inbound_sms(service=live_service.service, created_at=now - timedelta(seconds=position))
        for position in range(255)
    ]

    walked = list(notify_client.get_received_texts_iterator())

    assert [item["id"] for item in walked] == [str(message.id) for message in messages]


# Errors


def test_an_unknown_notification_is_a_404(notify_client: NotificationsAPIClient) -> None:
    error = refusal(lambda: notify_client.get_notification_by_id(str(uuid.uuid4())))

    assert (error.status_code, error.message) == (404, [{"error": "NoResultFound", "message": "No result found"}])


def test_a_bad_filter_is_a_400(notify_client: NotificationsAPIClient) -> None:
    error = refusal(lambda: notify_client.get_all_notifications(template_type="orange"))

    assert error.status_code == 400
    assert error.message == [
        {"error": "ValidationError", "message": "template_type orange is not one of [sms, email, letter]"}
    ]


def test_a_preview_missing_personalisation_is_a_400(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    error = refusal(lambda: notify_client.post_template_preview(str(live_service.sms_template.id), {"name": "Jo"}))

    assert (error.status_code, error.message) == (
        400,
        [{"error": "BadRequestError", "message": "Missing personalisation: code"}],
    )


def test_an_unknown_template_version_is_a_404(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    error = refusal(lambda: notify_client.get_template_version(str(live_service.sms_template.id), 7))

    assert error.status_code == 404


def test_a_revoked_key_is_refused(live_herald_url: str, live_service: LiveService) -> None:
    revoked = create_api_key(service=live_service.service, name="to-revoke")
    dao_revoke_api_key(live_service.service.id, revoked.id)
    client = NotificationsAPIClient(client_key(revoked), base_url=live_herald_url)

    error = refusal(client.get_all_templates)

    assert (error.status_code, error.message) == (
        403,
        [{"error": "AuthError", "message": "Invalid token: API key revoked"}],
    )


def test_a_key_with_the_wrong_secret_is_refused(live_herald_url: str, live_service: LiveService) -> None:
    client = NotificationsAPIClient(f"wrong-{live_service.service.id}-{uuid.uuid4()}", base_url=live_herald_url)

    error = refusal(client.get_all_templates)

    assert (error.status_code, error.message) == (
        403,
        [{"error": "AuthError", "message": "Invalid token: API key not found"}],
    )


# Sending (once POST /v2/notifications/sms and /email have landed)


@pytest.mark.usefixtures("sends_have_landed")
def test_send_sms_notification_with_every_option(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    response = notify_client.send_sms_notification(
        phone_number="07700900123",
        template_id=str(live_service.sms_template.id),
        personalisation={"name": "Jo", "code": "42"},
        reference="sms-ref",
        sms_sender_id=str(live_service.sms_sender.id),
    )
    stored = notify_client.get_notification_by_id(response["id"])

    validate_against_client_schema(response, "notification_schemas.post_sms_response")
    validate_against_client_schema(stored, "notification_schemas.get_notification_response")
    assert response["content"]["body"] == "Hello Jo, your code is 42"
    assert (response["reference"], stored["reference"], stored["body"]) == (
        "sms-ref",
        "sms-ref",
        "Hello Jo, your code is 42",
    )


@pytest.mark.usefixtures("sends_have_landed")
def test_send_email_notification_with_every_option(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    unsubscribe_url = "https://example.com/unsubscribe?user=1"
    response = notify_client.send_email_notification(
        email_address="someone@example.com",
        template_id=str(live_service.email_template.id),
        personalisation={"name": "Jo", "body": "ref-1"},
        reference="email-ref",
        email_reply_to_id=str(live_service.email_reply_to.id),
        one_click_unsubscribe_url=unsubscribe_url,
        sanitise_content_for=["body"],
    )
    stored = notify_client.get_notification_by_id(response["id"])

    validate_against_client_schema(response, "notification_schemas.post_email_response")
    validate_against_client_schema(stored, "notification_schemas.get_notification_response")
    assert response["content"]["subject"] == "Hi Jo"
    assert response["content"]["body"] == "Dear Jo,\n\nref\\-1"
    assert response["sanitised_content"] == {"body": {"unsanitised": "ref-1", "sanitised": "ref\\-1"}}
    assert response["content"]["one_click_unsubscribe_url"] == unsubscribe_url
    assert (stored["reference"], stored["one_click_unsubscribe_url"]) == ("email-ref", unsubscribe_url)


@pytest.mark.usefixtures("sends_have_landed")
def test_a_sent_notification_is_listed(notify_client: NotificationsAPIClient, live_service: LiveService) -> None:
    response = notify_client.send_sms_notification(
        "07700900123", str(live_service.sms_template.id), {"name": "Jo", "code": "1"}, reference="listed"
    )

    page = notify_client.get_all_notifications(reference="listed")

    assert [notification["id"] for notification in page["notifications"]] == [response["id"]]


@pytest.mark.usefixtures("sends_have_landed")
def test_a_send_with_a_bad_template_id_is_a_400(notify_client: NotificationsAPIClient) -> None:
    error = refusal(lambda: notify_client.send_sms_notification("07700900123", "not-a-uuid"))

    assert (error.status_code, error.message) == (
        400,
        [{"error": "ValidationError", "message": "template_id is not a valid UUID"}],
    )


@pytest.mark.usefixtures("sends_have_landed")
def test_a_send_missing_personalisation_is_a_400(
    notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    error = refusal(
        lambda: notify_client.send_email_notification("someone@example.com", str(live_service.email_template.id))
    )

    assert (error.status_code, error.message) == (
        400,
        [{"error": "BadRequestError", "message": "Missing personalisation: name, body"}],
    )
