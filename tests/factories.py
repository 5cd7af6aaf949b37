"""Factories that build test data through the app's own DAO functions (keyword-only, sensible defaults)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app

from app.admin.services.management import create_service as create_service_with_defaults
from app.clock import utc_now
from app.dao.api_key_dao import dao_create_api_key
from app.dao.billing_dao import dao_create_letter_rate, dao_create_rate
from app.dao.inbound_sms_dao import dao_create_inbound_sms
from app.dao.jobs_dao import JobNotificationBatch
from app.dao.letter_contacts_dao import dao_create_letter_contact
from app.dao.notifications_dao import dao_create_notification, dao_create_notifications
from app.dao.services_dao import (
    dao_create_email_reply_to,
    dao_create_sms_sender,
    dao_get_service_by_id,
    dao_replace_guest_list,
)
from app.dao.templates_dao import dao_create_template
from app.extensions import db
from app.models import (
    ApiKey,
    InboundSms,
    Job,
    LetterRate,
    Notification,
    Rate,
    Service,
    ServiceEmailReplyTo,
    ServiceLetterContact,
    ServiceSmsSender,
    Template,
)
from app.recipients.errors import InvalidPhoneError
from app.recipients.phone_numbers import ValidatedPhoneNumber, parse_phone_number
from app.recipients.search_hash import recipient_search_hash
from app.serialised_models import SerialisedService


def create_service(
    *, name: str | None = None, restricted: bool = False, permissions: list[str] | None = None, **settings: Any
) -> Service:
    return create_service_with_defaults(
        name=name or f"Service {uuid.uuid4().hex[:8]}",
        restricted=restricted,
        permissions=["sms", "email", "international_sms"] if permissions is None else permissions,
        **settings,
    )


def create_api_key(*, service: Service | None = None, key_type: str = "normal", name: str | None = None) -> ApiKey:
    service = service or create_service()
    return dao_create_api_key(service.id, name=name or f"key {uuid.uuid4().hex[:8]}", key_type=key_type)


def create_template(
    *,
    service: Service | None = None,
    template_type: str = "sms",
    content: str | None = None,
    subject: str | None = None,
    name: str | None = None,
    process_type: str = "normal",
    postage: str | None = None,
    service_letter_contact_id: uuid.UUID | None = None,
) -> Template:
    service = service or create_service()
    if template_type == "letter":
        subject = "Main heading" if subject is None else subject
        postage = postage or "second"
    if content is None:
        content = "Hello ((name))" if template_type == "sms" else "Dear ((name)),\n\nYour reference is ((ref))."
    if template_type == "email" and subject is None:
        subject = "Subject for ((name))"
    return dao_create_template(
        service.id,
        name=name or f"Template {uuid.uuid4().hex[:8]}",
        template_type=template_type,
        content=content,
        subject=subject,
        process_type=process_type,
        postage=postage,
        service_letter_contact_id=service_letter_contact_id,
    )


def create_letter_contact(
    *, service: Service, contact_block: str = "Government Digital Service\nLondon\nE1 8QS", is_default: bool = True
) -> ServiceLetterContact:
    return dao_create_letter_contact(service.id, contact_block=contact_block, is_default=is_default)


def create_sms_sender(*, service: Service, sms_sender: str = "HERALD", is_default: bool = True) -> ServiceSmsSender:
    return dao_create_sms_sender(service.id, sms_sender=sms_sender, is_default=is_default)


def create_email_reply_to(
    *, service: Service, email_address: str = "reply@example.com", is_default: bool = True
) -> ServiceEmailReplyTo:
    return dao_create_email_reply_to(service.id, email_address=email_address, is_default=is_default)


def set_guest_list(*, service: Service, recipients: list[tuple[str, str]]) -> None:
    dao_replace_guest_list(service.id, recipients)


def create_notification(
    *,
    template: Template | None = None,
    to: str | None = None,
    status: str = "created",
    key_type: str = "normal",
    api_key: ApiKey | None = None,
    created_at: datetime | None = None,
    sent_at: datetime | None = None,
    sent_by: str | None = None,
    reference: str | None = None,
    client_reference: str | None = None,
    personalisation: dict[str, Any] | None = None,
    job_id: uuid.UUID | None = None,
    job_row_number: int | None = None,
    billable_units: int = 0,
    international: bool | None = None,
    notification_id: uuid.UUID | None = None,
    postage: str | None = None,
    reply_to_text: str | None = None,
) -> Notification:
    """A notification stored as the API stores it (an SMS recipient parsed and normalised; one that does not parse
    is stored as given, as a row written around the API would be); ``international`` overrides the parse."""
    template = template or create_template()
    service = dao_get_service_by_id(template.service_id)
    if to is None:
        to = "447700900123" if template.template_type == "sms" else "someone@example.com"
    number = _parsed_or_none(to) if template.template_type == "sms" else None
    normalised_to = number.normalised if number else to.lower()
    notification = Notification(
        id=notification_id or uuid.uuid4(),
        to=to,
        normalised_to=normalised_to,
        recipient_hash=recipient_search_hash(current_app.config["RECIPIENT_SEARCH_KEY"], normalised_to),
        service_id=service.id,
        template_id=template.id,
        template_version=template.version,
        api_key_id=api_key.id if api_key else None,
        key_type=key_type,
        notification_type=template.template_type,
        created_at=created_at or utc_now(),
        status=status,
        sent_at=sent_at,
        sent_by=sent_by,
        reference=reference,
        client_reference=client_reference,
        job_id=job_id,
        job_row_number=job_row_number,
        billable_units=billable_units,
        international=international if international is not None else bool(number and number.is_international),
        phone_prefix=number.country_prefix if number else ("44" if template.template_type == "sms" else None),
        rate_multiplier=number.rate_multiplier if number else (1 if template.template_type == "sms" else None),
        postage=postage or ("second" if template.template_type == "letter" else None),
        reply_to_text=reply_to_text,
    )
    notification.personalisation = personalisation if personalisation is not None else {"name": "Jo"}
    return dao_create_notification(notification)


def _parsed_or_none(to: str) -> ValidatedPhoneNumber | None:
    try:
        return parse_phone_number(to)
    except InvalidPhoneError:
        return None


def create_notifications(
    *,
    template: Template,
    count: int,
    key_type: str = "normal",
    status: str = "delivered",
    newest_created_at: datetime | None = None,
) -> list[Notification]:
    """Insert ``count`` notifications in one go, one second apart, the first the newest; returns them newest first."""
    newest_created_at = newest_created_at or utc_now()
    to = "447700900123" if template.template_type == "sms" else "someone@example.com"
    notifications = []
    for position in range(count):
        notification = Notification(
            id=uuid.uuid4(),
            to=to,
            normalised_to=to,
            service_id=template.service_id,
            template_id=template.id,
            template_version=template.version,
            key_type=key_type,
            notification_type=template.template_type,
            created_at=newest_created_at - timedelta(seconds=position),
            status=status,
            billable_units=1 if template.template_type == "sms" else 0,
            rate_multiplier=1 if template.template_type == "sms" else None,
        )
        notification.personalisation = {"name": f"Person {position}", "ref": str(position)}
        notifications.append(notification)
    dao_create_notifications(notifications)
    return notifications


def create_inbound_sms(
    *,
    service: Service,
    notify_number: str = "07700900000",
    user_number: str = "447700900111",
    content: str = "Hello",
    created_at: datetime | None = None,
) -> InboundSms:
    inbound_sms = dao_create_inbound_sms(
        service_id=service.id,
        notify_number=notify_number,
        user_number=user_number,
        content=content,
        provider="mmg",
        provider_reference=uuid.uuid4().hex,
        provider_date=created_at,
    )
    if created_at is not None:
        inbound_sms.created_at = created_at
        db.session.commit()
    return inbound_sms


def build_serialised_service(**settings: Any) -> SerialisedService:
    """A live service's snapshot as the send path sees it, never stored; ``settings`` override the defaults."""
    service = SerialisedService(
        id=uuid.uuid4(),
        name="Test service",
        active=True,
        restricted=False,
        rate_limit=3000,
        sms_message_limit=250_000,
        email_message_limit=250_000,
        international_sms_message_limit=100,
        letter_message_limit=20_000,
        email_sender_local_part="test.service",
        custom_email_sender_name=None,
        prefix_sms=False,
        permissions=frozenset({"sms", "email", "international_sms"}),
        guest_list=frozenset(),
    )
    return replace(service, **settings)


def batch_for(job: Job, row_numbers: list[int]) -> JobNotificationBatch:
    """A batch of a job's rows as process_job builds it: a UK mobile number each, personalisation encrypted."""
    return JobNotificationBatch(
        job_id=job.id,
        service_id=job.service_id,
        template_id=job.template_id,
        template_version=job.template_version,
        api_key_id=None,
        key_type="normal",
        notification_type="sms",
        reply_to_text=None,
        created_at=utc_now(),
        ids=[uuid.uuid4() for _ in row_numbers],
        row_numbers=row_numbers,
        tos=["07700900123" for _ in row_numbers],
        normalised_tos=["447700900123" for _ in row_numbers],
        internationals=[False for _ in row_numbers],
        phone_prefixes=["44" for _ in row_numbers],
        rate_multipliers=[1 for _ in row_numbers],
        personalisations=["encrypted" for _ in row_numbers],
        recipient_search_key=current_app.config["RECIPIENT_SEARCH_KEY"],
    )


def create_rate(*, notification_type: str = "sms", valid_from: datetime, rate: str) -> Rate:
    return dao_create_rate(notification_type=notification_type, valid_from=valid_from, rate=Decimal(rate))


def create_letter_rate(*, postage: str = "second", sheet_count: int = 1, valid_from: datetime, rate: str) -> LetterRate:
    return dao_create_letter_rate(postage=postage, sheet_count=sheet_count, valid_from=valid_from, rate=Decimal(rate))
