"""send_email_to_provider through SES (moto and botocore's Stubber): what SES is given and how its errors end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from flask import Flask
from moto import mock_aws
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

from app.clients.registry import ProviderClients
from app.dao.notifications_dao import dao_get_notification_by_id
from app.delivery.errors import DeliveryRetryableError
from app.delivery.send_to_providers import send_email_to_provider
from app.extensions import db
from app.models import Notification
from app.notification_status import NotificationStatus
from app.recent_event_counts import EventKind, list_recent_event_counts
from tests.factories import create_email_reply_to, create_notification, create_service, create_template

S = NotificationStatus


@pytest.fixture
def ses(notify_api: Flask) -> Iterator[None]:
    with mock_aws():
        boto3.client(
            "sesv2", region_name=notify_api.config["AWS_REGION"], aws_access_key_id="t", aws_secret_access_key="t"
        ).create_email_identity(EmailIdentity=notify_api.config["NOTIFY_EMAIL_DOMAIN"])
        yield


@pytest.fixture
def stubbed_ses(provider_clients: ProviderClients) -> Iterator[Stubber]:
    with Stubber(provider_clients.email("ses").boto_client) as stubber:  # type: ignore[attr-defined]
        yield stubber


def _email_notification(**columns: Any) -> uuid.UUID:
    service = create_service(name="Tax office")
    create_email_reply_to(service=service, email_address="replies@tax.example")
    notification = create_notification(
        template=create_template(service=service, template_type="email", subject="Hello ((name))", content="Hi")
    )
    for name, value in columns.items():
        setattr(notification, name, value)
    db.session.commit()
    return notification.id


def _reload(notification_id: uuid.UUID) -> Notification:
    db.session.remove()
    return dao_get_notification_by_id(notification_id)


def test_an_email_is_handed_to_ses_and_its_message_id_kept(
    notify_api: Flask, notify_db_session: None, ses: None, provider_clients: ProviderClients
) -> None:
    notification_id = _email_notification()

    status = send_email_to_provider(notification_id)

    sent = get_backend("sesv2")[DEFAULT_ACCOUNT_ID][notify_api.config["AWS_REGION"]].core_backend.sent_messages
    row = _reload(notification_id)
    assert (status, row.sent_by, row.billable_units, row.reference) == (S.SENDING, "ses", 0, sent[0].id)
    assert (sent[0].source, sent[0].destinations, sent[0].subject) == (
        f'"Tax office" <tax.office@{notify_api.config["NOTIFY_EMAIL_DOMAIN"]}>',
        {"ToAddresses": ["someone@example.com"]},
        "Hello Jo",
    )


def test_ses_gets_both_bodies_the_reply_to_the_unsubscribe_headers_and_the_notification_id(
    notify_db_session: None, stubbed_ses: Stubber
) -> None:
    notification_id = _email_notification(unsubscribe_link="https://tax.example/unsubscribe")
    expected = {
        "FromEmailAddress": ANY,
        "Destination": {"ToAddresses": ["someone@example.com"]},
        "ReplyToAddresses": ["replies@tax.example"],
        "Content": {
            "Simple": {
                "Subject": {"Data": "Hello Jo", "Charset": "UTF-8"},
                "Body": {"Text": {"Data": "Hi", "Charset": "UTF-8"}, "Html": {"Data": ANY, "Charset": "UTF-8"}},
                "Headers": [
                    {"Name": "List-Unsubscribe", "Value": "<https://tax.example/unsubscribe>"},
                    {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
                    {"Name": "X-Herald-Notification-Id", "Value": str(notification_id)},
                ],
            }
        },
    }
    stubbed_ses.add_response("send_email", {"MessageId": "ses-message-1"}, expected)

    status = send_email_to_provider(notification_id)

    assert (status, _reload(notification_id).reference) == (S.SENDING, "ses-message-1")


def test_an_address_ses_calls_invalid_is_a_permanent_failure_at_once(
    notify_db_session: None, stubbed_ses: Stubber, send_task: Any, caplog: pytest.LogCaptureFixture
) -> None:
    notification_id = _email_notification()
    stubbed_ses.add_client_error("send_email", service_error_code="InvalidParameterValue", http_status_code=400)

    with caplog.at_level("INFO"):
        status = send_email_to_provider(notification_id)

    assert (status, _reload(notification_id).status) == (S.PERMANENT_FAILURE, S.PERMANENT_FAILURE)
    assert [record.levelname for record in caplog.records if "permanent-failure" in record.getMessage()] == ["INFO"]


def test_ses_throttling_hands_the_notification_back_for_a_retry(notify_db_session: None, stubbed_ses: Stubber) -> None:
    notification_id = _email_notification()
    stubbed_ses.add_client_error("send_email", service_error_code="TooManyRequestsException", http_status_code=429)

    with pytest.raises(DeliveryRetryableError) as raised:
        send_email_to_provider(notification_id)

    row = _reload(notification_id)
    assert (raised.value.failed_provider, row.status, row.sent_by) == ("ses", S.CREATED, "ses")
    assert sum(list_recent_event_counts(EventKind.PROVIDER_ERROR, "ses", minutes=2) or []) == 1


def test_a_message_ses_rejects_is_a_technical_failure(notify_db_session: None, stubbed_ses: Stubber) -> None:
    notification_id = _email_notification()
    stubbed_ses.add_client_error("send_email", service_error_code="MessageRejected", http_status_code=400)

    status = send_email_to_provider(notification_id)

    assert (status, _reload(notification_id).status) == (S.TECHNICAL_FAILURE, S.TECHNICAL_FAILURE)
