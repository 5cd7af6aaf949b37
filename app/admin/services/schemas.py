"""Request schemas for the service admin endpoints."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from app.callbacks.destination_policy import MAX_URL_LENGTH
from app.callbacks.sender import BEARER_TOKEN_PATTERN
from app.models import CallbackType, ServicePermissionType

PERMISSIONS = [permission.value for permission in ServicePermissionType]
LARGEST_INTEGER = 2**31 - 1  # a PostgreSQL integer column
LARGEST_BIG_INTEGER = 2**63 - 1  # a PostgreSQL bigint column


# A contact link is a web address, an email address or a phone number (as GOV.UK Notify's settings page accepts).
_CONTACT_URL = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]{1,240}\Z")
_CONTACT_PHONE_NUMBER = re.compile(r"\+?[0-9][0-9 ()-]{4,30}\Z")


def _check_contact_link(contact_link: str | None) -> None:
    from app.recipients.email_addresses import validate_email_address
    from app.recipients.errors import InvalidEmailError

    if contact_link is None or _CONTACT_URL.match(contact_link) or _CONTACT_PHONE_NUMBER.match(contact_link):
        return
    try:
        validate_email_address(contact_link)
    except InvalidEmailError as error:
        raise ValidationError("Contact link must be a web address, an email address or a phone number") from error


class _ServiceSettingsSchema(Schema):
    active = fields.Boolean()
    restricted = fields.Boolean()
    rate_limit = fields.Integer(validate=validate.Range(min=1, max=LARGEST_INTEGER))
    sms_message_limit = fields.Integer(validate=validate.Range(min=0, max=LARGEST_BIG_INTEGER))
    email_message_limit = fields.Integer(validate=validate.Range(min=0, max=LARGEST_BIG_INTEGER))
    international_sms_message_limit = fields.Integer(validate=validate.Range(min=0, max=LARGEST_BIG_INTEGER))
    letter_message_limit = fields.Integer(validate=validate.Range(min=0, max=LARGEST_BIG_INTEGER))
    # Regexp uses re.match: `\Z`, not `$`, so a trailing newline cannot slip into the From address.
    email_sender_local_part = fields.String(validate=validate.Regexp(r"[a-z0-9][a-z0-9.\-_]{0,63}\Z"))
    custom_email_sender_name = fields.String(allow_none=True, validate=validate.Length(max=255))
    prefix_sms = fields.Boolean()
    data_retention_days = fields.Integer(validate=validate.Range(min=1, max=90))
    # Bounded again by BULK_SHARE_WEIGHT_MAX in management.check_bulk_share_weight.
    bulk_share_weight = fields.Integer(strict=True, validate=validate.Range(min=1, max=LARGEST_INTEGER))
    permissions = fields.List(fields.String(validate=validate.OneOf(PERMISSIONS)))
    contact_link = fields.String(allow_none=True, validate=[validate.Length(min=1, max=255), _check_contact_link])


class CreateServiceSchema(_ServiceSettingsSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    created_by = fields.String(allow_none=True)


class UpdateServiceSchema(_ServiceSettingsSchema):
    name = fields.String(validate=validate.Length(min=1, max=255))


class GuestListSchema(Schema):
    email_addresses = fields.List(fields.String(), load_default=list)
    phone_numbers = fields.List(fields.String(), load_default=list)


class SmsSenderSchema(Schema):
    sms_sender = fields.String(required=True, validate=validate.Length(min=1, max=11))
    is_default = fields.Boolean(load_default=False)


class EmailReplyToSchema(Schema):
    email_address = fields.Email(required=True)
    is_default = fields.Boolean(load_default=False)


def _check_bearer_token(token: str) -> None:
    if not BEARER_TOKEN_PATTERN.fullmatch(token):
        raise ValidationError("Bearer token must be 10 to 1000 characters, printable ASCII without spaces")


class CallbackSchema(Schema):
    callback_type = fields.String(
        load_default=CallbackType.DELIVERY_STATUS.value,
        validate=validate.OneOf([callback_type.value for callback_type in CallbackType]),
    )
    # The URL's rules (and its addresses) are the destination policy's, checked when the callback is set.
    url = fields.String(required=True, validate=validate.Length(min=1, max=MAX_URL_LENGTH))
    bearer_token = fields.String(required=True, validate=_check_bearer_token)


class InboundNumberSchema(Schema):
    number = fields.String(required=True, validate=validate.Length(min=3, max=20))
    provider = fields.String(required=True, validate=validate.OneOf(["mmg", "firetext"]))
