"""Request schemas of POST /v2/notifications/sms and /email (JSON Schema Draft-07) and the checks behind their
formats, so each violation reads as GOV.UK Notify words it (notify-reference §1.1, §1.10).

A format that fails with a reason reports that reason after the field name (`phone_number Not a UK mobile number`,
`email_address Not a valid email address`); a property with a `validationMessage` reports that message for any
violation (`template_id is not a valid UUID`); everything else keeps jsonschema's words, single quotes removed
(`personalisation 1 is not of type object`, `Additional properties are not allowed (x was unexpected)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft7Validator, FormatChecker
from jsonschema import ValidationError as SchemaViolation

from app.clock import utc_now
from app.errors import InvalidEmailError, InvalidPhoneError, ValidationError
from app.notifications.validators import ValidatedRecipient, validated_email_address, validated_phone_number
from app.recipients.errors import TOO_MANY_DIGITS
from app.v2.request_validation import UUID_SCHEMA, violation_message

MAX_RECIPIENT_LENGTH = 320  # the `to` column; no real phone number or email address is longer
MAX_REFERENCE_LENGTH = 1000
# Sent as the `List-Unsubscribe: <url>` header, and SES takes header values of at most 870 printable ASCII characters.
MAX_UNSUBSCRIBE_URL_LENGTH = 868
SCHEDULING_WINDOW = timedelta(hours=24)

INVALID_DATETIME_MESSAGE = (
    "datetime format is invalid. It must be a valid ISO8601 date time format, https://en.wikipedia.org/wiki/ISO_8601"
)


class FormatProblem(ValueError):
    """Why a value does not have its format; the message follows the field name."""


FORMAT_CHECKER = FormatChecker(formats=())


def _recipient_format_checker(parsed: list[ValidatedRecipient]) -> FormatChecker:
    """FORMAT_CHECKER plus the recipient formats, which keep what they parsed in ``parsed``: the request's one
    parse of its recipient, passed on to the domain."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(FORMAT_CHECKER.checkers)

    @checker.checks("phone_number", raises=InvalidPhoneError)
    def is_phone_number(instance: object) -> bool:
        """Any mobile number we could send to, international ones included (permission is checked later)."""
        if isinstance(instance, str):
            if len(instance) > MAX_RECIPIENT_LENGTH:
                raise InvalidPhoneError(TOO_MANY_DIGITS)
            parsed.append(validated_phone_number(instance))
        return True

    @checker.checks("email_address", raises=InvalidEmailError)
    def is_email_address(instance: object) -> bool:
        if isinstance(instance, str):
            parsed.append(validated_email_address(instance))
        return True

    return checker


@FORMAT_CHECKER.checks("https_url")
def is_https_url(instance: object) -> bool:
    """An absolute https URL with a host, in printable ASCII without spaces (it becomes an email header)."""
    if not isinstance(instance, str):
        return True
    if not instance.startswith("https://") or not (instance.isascii() and instance.isprintable()) or " " in instance:
        return False
    try:
        return bool(urlsplit(instance).hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False


@FORMAT_CHECKER.checks("text_without_nul", raises=FormatProblem)
def is_text_without_nul(instance: object) -> bool:
    """PostgreSQL cannot store the NUL character in text."""
    if isinstance(instance, str) and "\x00" in instance:
        raise FormatProblem("must not contain the NUL character")
    return True


@FORMAT_CHECKER.checks("datetime_within_next_day", raises=FormatProblem)
def is_datetime_within_next_day(instance: object) -> bool:
    """An ISO 8601 date and time (UTC unless it says otherwise) from now to 24 hours ahead."""
    if not isinstance(instance, str):
        return True
    try:
        moment = datetime.fromisoformat(instance)
    except ValueError as error:
        raise FormatProblem(INVALID_DATETIME_MESSAGE) from error
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    now = utc_now()
    if moment < now:
        raise FormatProblem("datetime can not be in the past")
    if moment > now + SCHEDULING_WINDOW:
        raise FormatProblem("datetime can only be 24 hours in the future")
    return True


_COMMON_PROPERTIES: dict[str, Any] = {
    "template_id": UUID_SCHEMA,
    "personalisation": {"type": "object"},
    "reference": {"type": "string", "maxLength": MAX_REFERENCE_LENGTH, "format": "text_without_nul"},
    # Accepted and checked as GOV.UK Notify does, but every notification is sent at once (answered as null).
    "scheduled_for": {"type": ["string", "null"], "format": "datetime_within_next_day"},
}

POST_SMS_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "POST v2/notifications/sms",
    "type": "object",
    "properties": {
        **_COMMON_PROPERTIES,
        "phone_number": {"type": "string", "format": "phone_number"},
        "sms_sender_id": UUID_SCHEMA,
    },
    "required": ["phone_number", "template_id"],
    "additionalProperties": False,
}

POST_EMAIL_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "POST v2/notifications/email",
    "type": "object",
    "properties": {
        **_COMMON_PROPERTIES,
        "email_address": {"type": "string", "format": "email_address"},
        "email_reply_to_id": UUID_SCHEMA,
        "one_click_unsubscribe_url": {
            "type": "string",
            "format": "https_url",
            "maxLength": MAX_UNSUBSCRIBE_URL_LENGTH,
            "validationMessage": "is not a valid https url",
        },
        "sanitise_content_for": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["email_address", "template_id"],
    "additionalProperties": False,
}

_VALIDATORS = {
    "sms": Draft7Validator(POST_SMS_REQUEST, format_checker=FORMAT_CHECKER),
    "email": Draft7Validator(POST_EMAIL_REQUEST, format_checker=FORMAT_CHECKER),
}


def send_violation_message(violation: SchemaViolation) -> str:
    """`<field> <reason>` for a format with a reason, otherwise the v2 API's usual wording."""
    has_custom_message = isinstance(violation.schema, Mapping) and "validationMessage" in violation.schema
    if violation.validator == "format" and violation.cause is not None and violation.path and not has_custom_message:
        return f"{violation.path[0]} {violation.cause}"
    return violation_message(violation)


@dataclass(frozen=True)
class ValidSendRequest:
    body: dict[str, Any]
    recipient: ValidatedRecipient  # the phone number or email address, parsed once here


def validate_send_request(notification_type: str, body: Any) -> ValidSendRequest:
    """Return ``body`` and its parsed recipient when it is a valid `sms` or `email` send request; raise
    ValidationError with every violation."""
    parsed: list[ValidatedRecipient] = []
    validator = _VALIDATORS[notification_type].evolve(format_checker=_recipient_format_checker(parsed))
    violations = list(validator.iter_errors(body))
    if violations:
        raise ValidationError([send_violation_message(violation) for violation in violations])
    [recipient] = parsed  # a valid body has exactly one recipient, a string the format checked
    return ValidSendRequest(body, recipient)
