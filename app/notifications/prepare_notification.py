"""Check and render one send, in GOV.UK Notify's order (notify-reference §1.9, steps 4 to 8), storing nothing.

Service permission, then the template (found, right type, not deleted, personalisation complete, not empty), then
the sender, then the recipient (trial or team restriction, international permission, the international daily
limit), then the length. The result holds everything the notification row and the 201 answer need.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from app.clock import utc_now
from app.documents.uploads import PendingDocument, plan_documents
from app.limits.admission import SendAllowance
from app.models import NotificationType
from app.notifications import validators
from app.notifications.personalisation import check_personalisation, check_personalisation_size
from app.notifications.senders import reply_to_text_for
from app.notifications.templates_for_sending import SendableTemplate, get_template_for_sending
from app.recipients.simulated import SMOKE_TEST_EMAIL_ADDRESSES, SMOKE_TEST_PHONE_NUMBERS
from app.serialised_models import SerialisedService
from app.templating.email import fill_email_body, render_email_subject
from app.templating.sanitise import sanitise_personalisation
from app.templating.sms import RenderedSms, render_sms


@dataclass(frozen=True)
class NotificationRequest:
    """A send as the client asked for it, once the request schema has passed."""

    notification_type: str
    recipient: str  # as the client gave it
    validated_recipient: validators.ValidatedRecipient  # parsed once, by the request schema
    template_id: uuid.UUID
    personalisation: dict[str, Any] = field(default_factory=dict)
    client_reference: str | None = None
    sender_id: uuid.UUID | None = None
    unsubscribe_link: str | None = None
    sanitise_content_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class LetterRequest:
    """A templated letter as the client asked for it, once the request schema has passed; the address is in the
    personalisation."""

    template_id: uuid.UUID
    personalisation: dict[str, Any]
    client_reference: str | None = None
    notification_type: str = NotificationType.LETTER.value
    unsubscribe_link: None = None


@dataclass(frozen=True)
class ApiCaller:
    """Who is sending: the service snapshot and the API key used."""

    service: SerialisedService
    api_key_id: uuid.UUID
    key_type: str


@dataclass(frozen=True)
class Recipient:
    to: str
    normalised_to: str
    is_international: bool = False
    phone_prefix: str | None = None
    rate_multiplier: int | None = None


@dataclass(frozen=True)
class PreparedNotification:
    """A checked, rendered send with its id; not stored yet."""

    id: uuid.UUID
    request: NotificationRequest | LetterRequest
    caller: ApiCaller
    template: SendableTemplate
    recipient: Recipient
    personalisation: dict[str, Any]  # after sanitising: what is stored and sent
    sanitised_content: dict[str, dict[str, Any]]
    body: str
    subject: str | None
    reply_to_text: str | None
    documents: tuple[PendingDocument, ...] = ()  # files sent by email, stored with the notification
    # Letters: the postage class, the 16-character reference printed in the file name, and the first status (a
    # test key's letter is never printed: `sending` or `delivered` at once, letters.md §2.6).
    postage: str | None = None
    reference: str | None = None
    initial_status: str = "created"

    @property
    def is_smoke_test(self) -> bool:
        """Smoke-test recipients are checked like any other, answered 201, and never stored or sent."""
        smoke_test_recipients = (
            SMOKE_TEST_PHONE_NUMBERS
            if self.request.notification_type == NotificationType.SMS
            else SMOKE_TEST_EMAIL_ADDRESSES
        )
        return self.recipient.normalised_to in smoke_test_recipients


@dataclass(frozen=True)
class _Content:
    personalisation: dict[str, Any]
    sanitised_content: dict[str, dict[str, Any]]
    body: str
    subject: str | None
    rendered_sms: RenderedSms | None


def prepare_notification(
    request: NotificationRequest,
    caller: ApiCaller,
    allowance: SendAllowance,
    *,
    default_sms_sender: str,
    admin_base_url: str,
    document_download_base_url: str = "",
) -> PreparedNotification:
    """Run the checks of steps 4 to 8. Raises BadRequestError, InvalidPhoneError, InvalidEmailError or
    TooManyRequestsError (international daily limit, reserved on ``allowance``).

    The personalisation's types (and any file in it) are checked first; its filled size (`render_bounds.py`) and
    its total size before anything sanitises or fills it. Each file is sealed and replaced by its download link
    (with the document's key) before the template is filled; nothing is stored here.
    """
    notification_type = request.notification_type
    validators.check_service_can_send(caller.service, notification_type)
    files = check_personalisation(
        request.personalisation,
        notification_type,
        service_id=caller.service.id,
        contact_link=caller.service.contact_link,
        admin_base_url=admin_base_url,
    )
    documents: tuple[PendingDocument, ...] = ()
    if files:
        linked, documents = plan_documents(
            request.personalisation,
            files,
            service_id=caller.service.id,
            normalised_recipient=request.validated_recipient.normalised,
            base_url=document_download_base_url,
            now=utc_now(),
        )
        request = replace(request, personalisation=linked)
    template = _checked_template(caller.service.id, request)
    content = _render(template, request, caller.service)
    reply_to_text = reply_to_text_for(
        caller.service.id, notification_type, request.sender_id, default_sms_sender=default_sms_sender
    )
    recipient = _checked_recipient(request, caller, allowance)
    _check_length(content)
    return PreparedNotification(
        id=uuid.uuid4(),
        request=request,
        caller=caller,
        template=template,
        recipient=recipient,
        personalisation=content.personalisation,
        sanitised_content=content.sanitised_content,
        body=content.body,
        subject=content.subject,
        reply_to_text=reply_to_text,
        documents=documents,
    )


def _checked_template(service_id: uuid.UUID, request: NotificationRequest) -> SendableTemplate:
    template = get_template_for_sending(service_id, request.template_id)
    validators.check_template_is_for_notification_type(template, request.notification_type)
    validators.check_template_is_active(template)
    validators.check_personalisation_is_complete(template, request.personalisation)
    return template


def _render(template: SendableTemplate, request: NotificationRequest, service: SerialisedService) -> _Content:
    """Fill the template (an SMS with the service-name prefix when the service asks for it) and check it says
    something. Email personalisation named in `sanitise_content_for` is sanitised first. Sizes are checked before
    any of it (the filled size with the values as given may refuse an email that sanitising would have shortened
    below the limit by removing links)."""
    validators.check_size_before_rendering(template, request.personalisation)
    check_personalisation_size(request.personalisation)
    if template.template_type == NotificationType.SMS:
        rendered = render_sms(
            template.content, request.personalisation, prefix=service.name if service.prefix_sms else None
        )
        validators.check_sms_is_not_empty(rendered)
        return _Content(request.personalisation, {}, rendered.body, None, rendered)
    personalisation, sanitised_content = sanitise_personalisation(request.personalisation, request.sanitise_content_for)
    validators.check_size_before_rendering(template, personalisation)  # sanitising may have added escapes
    body = fill_email_body(template.content, personalisation)
    validators.check_email_is_not_empty(body)
    subject = render_email_subject(template.subject or "", personalisation)
    return _Content(personalisation, sanitised_content, body, subject, None)


def _checked_recipient(request: NotificationRequest, caller: ApiCaller, allowance: SendAllowance) -> Recipient:
    if isinstance(request.validated_recipient, validators.ValidatedEmailAddress):
        email_address = request.validated_recipient
        validators.check_recipient_is_allowed(caller.service, caller.key_type, email_address.normalised)
        return Recipient(to=email_address.address, normalised_to=email_address.normalised)
    number = request.validated_recipient
    validators.check_recipient_is_allowed(caller.service, caller.key_type, number.normalised)
    validators.check_can_send_to_number(caller.service, number)
    if number.is_international:
        allowance.reserve_international()
    return Recipient(
        to=request.recipient.strip(),
        normalised_to=number.normalised,
        is_international=number.is_international,
        phone_prefix=number.country_prefix,
        rate_multiplier=number.rate_multiplier,
    )


def _check_length(content: _Content) -> None:
    if content.rendered_sms is not None:
        validators.check_sms_is_not_too_long(content.rendered_sms)
    else:
        validators.check_email_is_not_too_long(content.body)
