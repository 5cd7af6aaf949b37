"""Helpers for the tests of POST /v2/notifications/sms and /email: a service ready to send, posting, queued tasks."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import ApiKey, Notification, Service, Template
from tests.auth_helpers import service_auth_header
from tests.factories import create_api_key, create_service, create_template

SMS_CONTENT = "Hello ((name))"
EMAIL_SUBJECT = "Hi ((name))"
EMAIL_CONTENT = "Dear ((name)),\n\n((body))"
UK_MOBILE = "07700900123"
EMAIL_ADDRESS = "someone@example.com"


@dataclass(frozen=True)
class Sender:
    service: Service
    api_key: ApiKey
    sms_template: Template
    email_template: Template

    def with_key(self, key_type: str) -> Sender:
        return Sender(
            self.service,
            create_api_key(service=self.service, key_type=key_type),
            self.sms_template,
            self.email_template,
        )


def create_sender(*, key_type: str = "normal", **service_settings: Any) -> Sender:
    service = create_service(**service_settings)
    return Sender(
        service=service,
        api_key=create_api_key(service=service, key_type=key_type),
        sms_template=create_template(service=service, content=SMS_CONTENT),
        email_template=create_template(
            service=service, template_type="email", subject=EMAIL_SUBJECT, content=EMAIL_CONTENT
        ),
    )


def sms_body(sender: Sender, **fields: Any) -> dict[str, Any]:
    body = {"phone_number": UK_MOBILE, "template_id": str(sender.sms_template.id), "personalisation": {"name": "Jo"}}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def email_body(sender: Sender, **fields: Any) -> dict[str, Any]:
    body = {
        "email_address": EMAIL_ADDRESS,
        "template_id": str(sender.email_template.id),
        "personalisation": {"name": "Jo", "body": "See you soon"},
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def post_send(
    client: FlaskClient,
    api_key: ApiKey,
    notification_type: str,
    body: Any = None,
    *,
    data: bytes | str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> TestResponse:
    all_headers = [service_auth_header(api_key), *headers]
    url = f"/v2/notifications/{notification_type}"
    if data is not None:
        return client.post(url, data=data, headers=all_headers)
    return client.post(url, json=body, headers=all_headers)


def errors_of(response: TestResponse) -> list[dict[str, str]]:
    return response.get_json()["errors"]


def stored_notification_count() -> int:
    return db.session.execute(select(func.count()).select_from(Notification)).scalar_one()


def queued_tasks(queue: str) -> list[tuple[str, list[Any]]]:
    """(task name, args) of every message waiting on a queue of the real Redis broker, oldest first."""
    redis = current_app.extensions["redis"]
    messages = [json.loads(raw) for raw in reversed(redis.lrange(queue, 0, -1))]
    return [(message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0]) for message in messages]
