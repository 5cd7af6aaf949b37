"""A worker never renders without a bound: a stored notification over the limits, or with a value that cannot be
written as text, is a technical failure at once (no provider call, no retry), not a task retried for days."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from botocore.stub import Stubber
from flask import Flask

from app.clients.registry import ProviderClients
from app.dao.notifications_dao import dao_get_notification_by_id
from app.delivery.errors import NotificationTechnicalFailureException
from app.delivery.send_to_providers import send_email_to_provider, send_sms_to_provider
from app.extensions import db
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_template

S = NotificationStatus


@pytest.fixture
def no_provider_calls(notify_api: Flask, provider_clients: ProviderClients) -> Iterator[responses.RequestsMock]:
    """SMS providers over HTTP and SES through a Stubber with nothing queued: any call fails the test."""
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as mock,
        Stubber(provider_clients.email("ses").boto_client),  # type: ignore[attr-defined]
    ):
        yield mock


def _stored(template_type: str, content: str, personalisation: dict[str, Any], subject: str | None = None) -> uuid.UUID:
    """A notification written around the API (as one stored before today's limits would be)."""
    template = create_template(template_type=template_type, content=content, subject=subject)
    return create_notification(template=template, personalisation=personalisation).id


def _status(notification_id: uuid.UUID) -> str:
    db.session.remove()
    return dao_get_notification_by_id(notification_id).status


@pytest.mark.parametrize(
    ("template_type", "content", "personalisation", "why"),
    [
        ("email", "((a))" * 10_000, {"a": "x" * 1_000}, "Emails cannot be longer than 2000000 bytes"),
        ("sms", "((a))" * 1_000, {"a": " " * 1_000}, "Text messages cannot be longer than 918 characters"),
        ("email", "Hi ((a))", {"a": {"file": "JVBERi0=", "filename": "a.pdf"}}, "of type dict cannot be written"),
        ("sms", "Hi ((a))", {"a": [{"nested": "object"}]}, "of type list cannot be written"),
    ],
    ids=["email-too-long", "sms-too-long", "object", "list-of-objects"],
)
def test_a_notification_that_cannot_be_rendered_within_bounds_fails_for_good(
    notify_db_session: None,
    no_provider_calls: responses.RequestsMock,
    template_type: str,
    content: str,
    personalisation: dict[str, Any],
    why: str,
) -> None:
    notification_id = _stored(
        template_type, content, personalisation, subject="s" if template_type == "email" else None
    )
    send = send_email_to_provider if template_type == "email" else send_sms_to_provider

    with pytest.raises(NotificationTechnicalFailureException) as raised:
        send(notification_id)

    assert str(raised.value).startswith(f"Notification {notification_id} cannot be rendered: ")
    assert why in str(raised.value)
    assert (_status(notification_id), len(no_provider_calls.calls)) == (S.TECHNICAL_FAILURE, 0)


def test_the_failure_message_carries_no_personalisation(
    notify_db_session: None, no_provider_calls: responses.RequestsMock
) -> None:
    notification_id = _stored("sms", "((a))" * 1_000, {"a": "secret-value " * 100})

    with pytest.raises(NotificationTechnicalFailureException) as raised:
        send_sms_to_provider(notification_id)

    assert "secret-value" not in str(raised.value)
