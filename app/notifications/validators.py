"""The business rules a single send must pass, each a `check_*` function raising the typed error Notify answers.

The wording is GOV.UK Notify's (notify-reference §1.10), including the curly apostrophe and the en dash of the
trial-mode and team-key refusals. Recipients were already checked for shape by the request schema; here they are
checked against what this service and this key may send to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.errors import BadRequestError, InvalidEmailError, InvalidPhoneError
from app.models import KeyType, NotificationType, ServicePermissionType
from app.notifications.templates_for_sending import SendableTemplate
from app.recipients import errors as recipient_errors
from app.recipients.email_addresses import normalise_email_address, validate_email_address
from app.recipients.guest_list import normalise_recipient_for_comparison
from app.recipients.phone_numbers import ValidatedPhoneNumber, parse_phone_number
from app.serialised_models import SerialisedService
from app.templating.email import email_body_byte_count, email_too_long_message, is_email_too_long
from app.templating.placeholders import missing_personalisation_message, missing_placeholders
from app.templating.render_bounds import size_problem_before_rendering
from app.templating.sms import RenderedSms, is_sms_too_long, sms_too_long_message

TRIAL_MODE_MESSAGE = (
    "Can’t send to this recipient when service is in trial mode – see "
    "https://www.notifications.service.gov.uk/trial-mode"
)
TEAM_KEY_MESSAGE = "Can’t send to this recipient using a team-only API key"
EMPTY_MESSAGE = "Your message is empty."
TYPE_DESCRIPTIONS = {
    NotificationType.SMS.value: "text messages",
    NotificationType.EMAIL.value: "emails",
    NotificationType.LETTER.value: "letters",
}


def check_service_can_send(service: SerialisedService, notification_type: str) -> None:
    if not service.has_permission(notification_type):
        raise BadRequestError(f"Service is not allowed to send {TYPE_DESCRIPTIONS[notification_type]}")


def check_template_is_for_notification_type(template: SendableTemplate, notification_type: str) -> None:
    if template.template_type != notification_type:
        raise BadRequestError(f"{template.template_type} template is not suitable for {notification_type} notification")


def check_template_is_active(template: SendableTemplate) -> None:
    if template.archived:
        raise BadRequestError("Template has been deleted")


def check_personalisation_is_complete(template: SendableTemplate, personalisation: Mapping[str, Any]) -> None:
    missing = missing_placeholders(template.texts, personalisation)
    if missing:
        raise BadRequestError(missing_personalisation_message(missing))


def check_sms_is_not_empty(rendered: RenderedSms) -> None:
    if rendered.character_count == 0:
        raise BadRequestError(EMPTY_MESSAGE)


def check_email_is_not_empty(body: str) -> None:
    if not body.strip():
        raise BadRequestError(EMPTY_MESSAGE)


def check_size_before_rendering(template: SendableTemplate, personalisation: Mapping[str, Any]) -> None:
    """Refuse a message that would fill beyond its limit, measured without filling it (Notify's too-long message)."""
    problem = size_problem_before_rendering(template.template_type, template.content, template.subject, personalisation)
    if problem is not None:
        raise BadRequestError(problem)


def check_sms_is_not_too_long(rendered: RenderedSms) -> None:
    """918 characters at most, counted without the service-name prefix."""
    if is_sms_too_long(rendered.character_count):
        raise BadRequestError(sms_too_long_message(rendered.character_count))


def check_email_is_not_too_long(body: str) -> None:
    byte_count = email_body_byte_count(body)
    if is_email_too_long(byte_count):
        raise BadRequestError(email_too_long_message(byte_count))


@lru_cache(maxsize=256)
def _normalised_guest_list(guest_list: frozenset[str]) -> frozenset[str]:
    return frozenset(normalise_recipient_for_comparison(recipient) for recipient in guest_list)


def check_recipient_is_allowed(service: SerialisedService, key_type: str, normalised_recipient: str) -> None:
    """Team keys, and live keys of a trial service, may only send to the guest list (team members included)."""
    if key_type == KeyType.TEST or (key_type == KeyType.NORMAL and not service.restricted):
        return
    if normalised_recipient in _normalised_guest_list(service.guest_list):
        return
    raise BadRequestError(TEAM_KEY_MESSAGE if key_type == KeyType.TEAM else TRIAL_MODE_MESSAGE)


def check_can_send_to_number(service: SerialisedService, number: ValidatedPhoneNumber) -> None:
    if number.is_international and not service.has_permission(ServicePermissionType.INTERNATIONAL_SMS):
        raise BadRequestError(recipient_errors.INTERNATIONAL_NOT_ALLOWED)


def validated_phone_number(phone_number: str) -> ValidatedPhoneNumber:
    """Parse a number for the API. Raises InvalidPhoneError (the API's) with the legacy wording, e.g. `Not a UK
    mobile number`."""
    try:
        return parse_phone_number(phone_number)
    except recipient_errors.InvalidPhoneError as error:
        raise InvalidPhoneError(error.message) from error


@dataclass(frozen=True)
class ValidatedEmailAddress:
    address: str  # as stored: stripped
    normalised: str  # for comparing with a guest list


def validated_email_address(email_address: str) -> ValidatedEmailAddress:
    """Parse an address for the API. Raises InvalidEmailError `Not a valid email address`."""
    try:
        address = validate_email_address(email_address)
    except recipient_errors.InvalidEmailError as error:
        raise InvalidEmailError(error.message) from error
    return ValidatedEmailAddress(address, normalise_email_address(address))


ValidatedRecipient = ValidatedPhoneNumber | ValidatedEmailAddress
