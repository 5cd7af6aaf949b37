"""Build the message a provider gets, from the stored template version, before the database session closes.

The values are plain (no ORM rows), so the provider call can happen with the session already closed. Their
reprs leave out recipients and content, so a stray log line cannot leak them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.delivery.errors import UnrenderableNotificationError
from app.delivery.lanes import Lane, notification_lane
from app.delivery.send_context import TemplateVersion, template_version_for_sending
from app.models import KeyType, Notification, NotificationType
from app.notifications.senders import choose_reply_to_text
from app.recipients.phone_numbers import stored_phone_number
from app.serialised_models import SerialisedService
from app.templating.email import render_email
from app.templating.placeholders import UnrenderableValueError
from app.templating.render_bounds import size_problem_before_rendering
from app.templating.sms import render_sms

ONE_CLICK_UNSUBSCRIBE = "List-Unsubscribe=One-Click"


@dataclass(frozen=True)
class OutgoingSms:
    notification_id: uuid.UUID
    service_id: uuid.UUID
    created_at: datetime
    lane: Lane
    is_research_mode: bool
    is_international: bool
    has_delivery_receipts: bool
    fragment_count: int
    to: str = field(repr=False)
    sender: str = field(repr=False)
    body: str = field(repr=False)


@dataclass(frozen=True)
class OutgoingEmail:
    notification_id: uuid.UUID
    service_id: uuid.UUID
    created_at: datetime
    lane: Lane
    is_research_mode: bool
    to: str = field(repr=False)
    from_address: str = field(repr=False)
    reply_to: str | None = field(repr=False)
    subject: str = field(repr=False)
    plain_text: str = field(repr=False)
    html: str = field(repr=False)
    headers: dict[str, str] = field(repr=False)


def build_outgoing_sms(notification: Notification, service: SerialisedService, *, default_sender: str) -> OutgoingSms:
    """Render the SMS (service-name prefix when the service asks for it) and look up where it is going.

    The sender is the one stored on the notification, else the service's default, else ``default_sender``.
    """
    template = template_version_for_sending(notification.template_id, notification.template_version)
    _check_renderable(template, NotificationType.SMS, notification.personalisation)
    rendered = render_sms(
        template.content, notification.personalisation, prefix=service.name if service.prefix_sms else None
    )
    recipient = stored_phone_number(
        notification.normalised_to,
        is_international=notification.international,
        country_prefix=notification.phone_prefix,
    )
    return OutgoingSms(
        notification_id=notification.id,
        service_id=notification.service_id,
        created_at=notification.created_at,
        lane=_lane(notification, template),
        is_research_mode=notification.key_type == KeyType.TEST,
        is_international=recipient.is_international,
        has_delivery_receipts=recipient.has_delivery_receipts,
        fragment_count=rendered.fragment_count,
        to=recipient.normalised,
        sender=notification.reply_to_text
        or choose_reply_to_text(service.id, NotificationType.SMS, None, default_sms_sender=default_sender)
        or default_sender,
        body=rendered.body,
    )


def build_outgoing_email(notification: Notification, service: SerialisedService, *, email_domain: str) -> OutgoingEmail:
    """Render the email (HTML and plain text) with its From, reply-to and unsubscribe headers."""
    template = template_version_for_sending(notification.template_id, notification.template_version)
    _check_renderable(template, NotificationType.EMAIL, notification.personalisation)
    rendered = render_email(template.subject or "", template.content, notification.personalisation)
    return OutgoingEmail(
        notification_id=notification.id,
        service_id=notification.service_id,
        created_at=notification.created_at,
        lane=_lane(notification, template),
        is_research_mode=notification.key_type == KeyType.TEST,
        to=notification.to,
        from_address=email_from_address(
            service.custom_email_sender_name or service.name, service.email_sender_local_part, email_domain
        ),
        reply_to=notification.reply_to_text
        or choose_reply_to_text(service.id, NotificationType.EMAIL, None, default_sms_sender=None),
        subject=rendered.subject,
        plain_text=rendered.plain_text,
        html=rendered.html,
        headers=unsubscribe_headers(notification.unsubscribe_link),
    )


def _lane(notification: Notification, template: TemplateVersion) -> Lane:
    return notification_lane(is_from_job=notification.job_id is not None, process_type=template.process_type)


def _check_renderable(template: TemplateVersion, notification_type: str, personalisation: Any) -> None:
    """Refuse, before any rendering, what the API would have refused: a worker never renders without a bound.

    A notification stored before today's limits, or written around the API, fails here for good instead of being
    rendered (slowly, or into a Python repr) on every retry for days.
    """
    if personalisation is not None and not isinstance(personalisation, dict):
        raise UnrenderableNotificationError("the stored personalisation is not an object")
    try:
        problem = size_problem_before_rendering(notification_type, template.content, template.subject, personalisation)
    except UnrenderableValueError as error:
        raise UnrenderableNotificationError(str(error)) from error
    if problem is not None:
        raise UnrenderableNotificationError(problem)


def email_from_address(display_name: str, local_part: str, domain: str) -> str:
    """`"<display name>" <local_part@domain>` (the SES client encodes a non-ASCII name and domain for SES)."""
    name = " ".join(display_name.split())  # one line: a newline in a header would start a new header
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{local_part}@{domain}>'


def unsubscribe_headers(unsubscribe_link: str | None) -> dict[str, str]:
    """One-click unsubscribe headers (RFC 8058) when the notification has an unsubscribe link."""
    if not unsubscribe_link:
        return {}
    return {"List-Unsubscribe": f"<{unsubscribe_link}>", "List-Unsubscribe-Post": ONE_CLICK_UNSUBSCRIBE}
