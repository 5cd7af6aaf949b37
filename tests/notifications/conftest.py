"""Build prepared notifications (checked and rendered, not stored) for the notifications domain tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.dao.services_dao import dao_get_serialised_service
from app.notifications.prepare_notification import ApiCaller, NotificationRequest, PreparedNotification, Recipient
from app.notifications.templates_for_sending import get_template_for_sending
from app.notifications.validators import validated_email_address, validated_phone_number
from tests.factories import create_api_key, create_service, create_template

RECIPIENTS = {"sms": ("07700900123", "447700900123"), "email": ("someone@example.com", "someone@example.com")}


@pytest.fixture
def make_prepared(notify_db_session: None) -> Callable[..., PreparedNotification]:
    def make(
        *, template_type: str = "sms", key_type: str = "normal", recipient: str | None = None, **fields: Any
    ) -> PreparedNotification:
        service = create_service()
        template = create_template(service=service, template_type=template_type)
        api_key = create_api_key(service=service, key_type=key_type)
        to, normalised_to = (recipient, recipient) if recipient else RECIPIENTS[template_type]
        request = NotificationRequest(
            notification_type=template_type,
            recipient=to,
            validated_recipient=(validated_phone_number(to) if template_type == "sms" else validated_email_address(to)),
            template_id=template.id,
            personalisation={"name": "Jo", "ref": "1"},
            **fields,
        )
        return PreparedNotification(
            id=uuid.uuid4(),
            request=request,
            caller=ApiCaller(service=dao_get_serialised_service(service.id), api_key_id=api_key.id, key_type=key_type),
            template=get_template_for_sending(service.id, template.id),
            recipient=Recipient(to=to, normalised_to=normalised_to),
            personalisation=request.personalisation,
            sanitised_content={},
            body="Hello Jo",
            subject=None,
            reply_to_text="HERALD",
        )

    return make
