"""Domain steps for managing services, shared by the admin API and the CLI."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.dao.services_dao import dao_create_service, dao_replace_guest_list, dao_update_service
from app.errors import InvalidRequest
from app.extensions import db
from app.models import RecipientType, Service

DEFAULT_PERMISSIONS = ("sms", "email")


def _local_part_from_name(name: str) -> str:
    local_part = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")
    return local_part[:60] or "service"


def check_service_name_is_unique(name: str, *, except_service_id: uuid.UUID | None = None) -> None:
    existing = db.session.execute(select(Service.id).where(Service.name == name)).scalar_one_or_none()
    if existing is not None and existing != except_service_id:
        raise InvalidRequest({"name": [f"Duplicate service name '{name}'"]}, 400)


def _check_local_part_is_unique(local_part: str, *, except_service_id: uuid.UUID | None = None) -> None:
    existing = db.session.execute(
        select(Service.id).where(Service.email_sender_local_part == local_part)
    ).scalar_one_or_none()
    if existing is not None and existing != except_service_id:
        raise InvalidRequest({"email_sender_local_part": [f"Duplicate email sender '{local_part}'"]}, 400)


def check_bulk_share_weight(weight: int, *, largest: int) -> None:
    if weight > largest:
        raise InvalidRequest({"bulk_share_weight": [f"Must be at most {largest}"]}, 400)


def create_service(*, name: str, permissions: Iterable[str] | None = None, **settings: Any) -> Service:
    check_service_name_is_unique(name)
    if "bulk_share_weight" in settings:
        check_bulk_share_weight(settings["bulk_share_weight"], largest=current_app.config["BULK_SHARE_WEIGHT_MAX"])
    local_part = settings.pop("email_sender_local_part", None) or _local_part_from_name(name)
    _check_local_part_is_unique(local_part)
    return dao_create_service(
        name=name,
        email_sender_local_part=local_part,
        permissions=DEFAULT_PERMISSIONS if permissions is None else permissions,
        **settings,
    )


def update_service(service: Service, **settings: Any) -> Service:
    from app.dao.services_dao import dao_set_service_permissions

    if "name" in settings:
        check_service_name_is_unique(settings["name"], except_service_id=service.id)
    if "email_sender_local_part" in settings:
        _check_local_part_is_unique(settings["email_sender_local_part"], except_service_id=service.id)
    if "bulk_share_weight" in settings:
        check_bulk_share_weight(settings["bulk_share_weight"], largest=current_app.config["BULK_SHARE_WEIGHT_MAX"])
    permissions = settings.pop("permissions", None)
    if permissions is not None:
        dao_set_service_permissions(service.id, permissions)
    return dao_update_service(service, **settings)


def replace_guest_list(service_id: uuid.UUID, *, email_addresses: list[str], phone_numbers: list[str]) -> None:
    """Validate every entry first, then replace the whole guest list (all or nothing)."""
    from app.recipients.email_addresses import validate_email_address
    from app.recipients.errors import InvalidEmailError, InvalidPhoneError
    from app.recipients.guest_list import normalise_recipient_for_comparison
    from app.recipients.phone_numbers import validate_phone_number

    entries: list[tuple[str, str]] = []
    errors: list[str] = []
    for address in email_addresses:
        try:
            validate_email_address(address)
            entries.append((RecipientType.EMAIL, normalise_recipient_for_comparison(address)))
        except InvalidEmailError:
            errors.append(f"Invalid guest list: {address} is not a valid email address")
    for number in phone_numbers:
        try:
            validate_phone_number(number, allow_international=True)
            entries.append((RecipientType.MOBILE, normalise_recipient_for_comparison(number)))
        except InvalidPhoneError:
            errors.append(f"Invalid guest list: {number} is not a valid phone number")
    if errors:
        raise InvalidRequest(errors, 400)
    dao_replace_guest_list(service_id, entries)
