"""A service set up for the official clients to use against a live Herald: keys, templates, senders."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from app.models import ApiKey, Service, ServiceEmailReplyTo, ServiceSmsSender, Template
from tests.factories import (
    create_api_key,
    create_email_reply_to,
    create_letter_contact,
    create_service,
    create_sms_sender,
    create_template,
)


@dataclass(frozen=True)
class LiveService:
    service: Service
    api_key: ApiKey
    sms_template: Template
    email_template: Template
    sms_sender: ServiceSmsSender
    email_reply_to: ServiceEmailReplyTo
    letter_template: Template

    @property
    def key_string(self) -> str:
        """The key as a user is given it: `<name>-<service id>-<secret>` (the clients slice it from the end)."""
        return client_key(self.api_key)


def client_key(api_key: ApiKey) -> str:
    return f"{api_key.name}-{api_key.service_id}-{api_key.secret}"


def create_live_service() -> LiveService:
    service = create_service(permissions=["sms", "email", "international_sms", "inbound_sms", "letter"])
    contact = create_letter_contact(service=service, contact_block="Government Digital Service\nLondon\nE1 8QS")
    return LiveService(
        service=service,
        api_key=create_api_key(service=service, name="e2e-live-key"),
        sms_template=create_template(service=service, name="SMS", content="Hello ((name)), your code is ((code))"),
        email_template=create_template(
            service=service,
            name="Email",
            template_type="email",
            subject="Hi ((name))",
            content="Dear ((name)),\n\n((body))",
        ),
        sms_sender=create_sms_sender(service=service, sms_sender="HERALD", is_default=True),
        email_reply_to=create_email_reply_to(service=service, email_address="replies@example.com", is_default=True),
        letter_template=create_template(
            service=service,
            name="Letter",
            template_type="letter",
            subject="Main heading",
            content="Hello ((address_line_1))",
            service_letter_contact_id=contact.id,
        ),
    )


def has_route(app: Flask, path: str, method: str) -> bool:
    """Whether the app serves ``method path`` yet (the POST sends land separately from the reads)."""
    return any(rule.rule == path and method in (rule.methods or ()) for rule in app.url_map.iter_rules())
