"""Services: create, update, read, with a history row for every version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, delete, select

from app.clock import utc_now
from app.dao.history import dao_create_history_row
from app.extensions import db
from app.models import (
    Service,
    ServiceEmailReplyTo,
    ServiceGuestListEntry,
    ServiceHistory,
    ServicePermission,
    ServiceSmsSender,
)
from app.serialised_models import SerialisedService

SERVICE_SETTINGS = (
    "name",
    "active",
    "restricted",
    "rate_limit",
    "sms_message_limit",
    "email_message_limit",
    "international_sms_message_limit",
    "letter_message_limit",
    "email_sender_local_part",
    "custom_email_sender_name",
    "prefix_sms",
    "data_retention_days",
    "contact_link",
    "bulk_share_weight",
)


def dao_create_service(
    *,
    name: str,
    email_sender_local_part: str,
    permissions: Iterable[str],
    created_by: str | None = None,
    service_id: uuid.UUID | None = None,
    **settings: Any,
) -> Service:
    service = Service(
        id=service_id or uuid.uuid4(),
        name=name,
        email_sender_local_part=email_sender_local_part,
        created_by=created_by,
        created_at=utc_now(),
        version=1,
        **{key: value for key, value in settings.items() if key in SERVICE_SETTINGS},
    )
    db.session.add(service)
    db.session.flush()
    dao_set_service_permissions(service.id, permissions)
    dao_create_history_row(service, ServiceHistory)
    db.session.commit()
    return service


def dao_update_service(service: Service, **settings: Any) -> Service:
    for key, value in settings.items():
        if key in SERVICE_SETTINGS:
            setattr(service, key, value)
    service.version += 1
    service.updated_at = utc_now()
    db.session.flush()
    dao_create_history_row(service, ServiceHistory)
    db.session.commit()
    return service


def dao_get_service_by_id(service_id: uuid.UUID | str) -> Service:
    return db.session.execute(select(Service).where(Service.id == service_id)).scalar_one()


def dao_list_services() -> Sequence[Service]:
    return db.session.execute(select(Service).order_by(Service.created_at)).scalars().all()


def dao_list_service_permissions(service_id: uuid.UUID) -> list[str]:
    return list(
        db.session.execute(
            select(ServicePermission.permission).where(ServicePermission.service_id == service_id)
        ).scalars()
    )


def dao_set_service_permissions(service_id: uuid.UUID, permissions: Iterable[str]) -> None:
    db.session.execute(delete(ServicePermission).where(ServicePermission.service_id == service_id))
    for permission in dict.fromkeys(permissions):
        db.session.add(ServicePermission(service_id=service_id, permission=permission))
    db.session.flush()


def dao_list_guest_list(service_id: uuid.UUID) -> Sequence[ServiceGuestListEntry]:
    return (
        db.session.execute(select(ServiceGuestListEntry).where(ServiceGuestListEntry.service_id == service_id))
        .scalars()
        .all()
    )


def dao_replace_guest_list(service_id: uuid.UUID, entries: Iterable[tuple[str, str]]) -> None:
    """Replace the service's guest list with (recipient_type, recipient) pairs, in one transaction."""
    db.session.execute(delete(ServiceGuestListEntry).where(ServiceGuestListEntry.service_id == service_id))
    for recipient_type, recipient in dict.fromkeys(entries):
        db.session.add(ServiceGuestListEntry(service_id=service_id, recipient_type=recipient_type, recipient=recipient))
    db.session.commit()


SenderT = TypeVar("SenderT", ServiceSmsSender, ServiceEmailReplyTo)


def _active(model: type[SenderT], service_id: uuid.UUID, *conditions: Any) -> Select[SenderT]:
    return select(model).where(model.service_id == service_id, model.archived.is_(False), *conditions)


def dao_list_sms_senders(service_id: uuid.UUID) -> Sequence[ServiceSmsSender]:
    statement = _active(ServiceSmsSender, service_id).order_by(ServiceSmsSender.created_at)
    return db.session.execute(statement).scalars().all()


def dao_get_sms_sender_by_id(service_id: uuid.UUID, sms_sender_id: uuid.UUID | str) -> ServiceSmsSender:
    return db.session.execute(_active(ServiceSmsSender, service_id, ServiceSmsSender.id == sms_sender_id)).scalar_one()


def dao_get_default_sms_sender(service_id: uuid.UUID) -> ServiceSmsSender | None:
    statement = _active(ServiceSmsSender, service_id, ServiceSmsSender.is_default.is_(True))
    return db.session.execute(statement).scalar_one_or_none()


def dao_create_sms_sender(service_id: uuid.UUID, *, sms_sender: str, is_default: bool) -> ServiceSmsSender:
    return _add_sender(ServiceSmsSender(service_id=service_id, sms_sender=sms_sender, is_default=is_default))


def dao_list_email_reply_tos(service_id: uuid.UUID) -> Sequence[ServiceEmailReplyTo]:
    statement = _active(ServiceEmailReplyTo, service_id).order_by(ServiceEmailReplyTo.created_at)
    return db.session.execute(statement).scalars().all()


def dao_get_email_reply_to_by_id(service_id: uuid.UUID, reply_to_id: uuid.UUID | str) -> ServiceEmailReplyTo:
    statement = _active(ServiceEmailReplyTo, service_id, ServiceEmailReplyTo.id == reply_to_id)
    return db.session.execute(statement).scalar_one()


def dao_get_default_email_reply_to(service_id: uuid.UUID) -> ServiceEmailReplyTo | None:
    statement = _active(ServiceEmailReplyTo, service_id, ServiceEmailReplyTo.is_default.is_(True))
    return db.session.execute(statement).scalar_one_or_none()


def dao_create_email_reply_to(service_id: uuid.UUID, *, email_address: str, is_default: bool) -> ServiceEmailReplyTo:
    return _add_sender(ServiceEmailReplyTo(service_id=service_id, email_address=email_address, is_default=is_default))


def _add_sender(sender: SenderT) -> SenderT:
    """Store a new SMS sender or reply-to address; a new default takes over from the old one."""
    if sender.is_default:
        _clear_default(type(sender), sender.service_id)
    db.session.add(sender)
    db.session.commit()
    return sender


def _clear_default(model: type[SenderT], service_id: uuid.UUID) -> None:
    for row in db.session.execute(
        select(model).where(model.service_id == service_id, model.is_default.is_(True))
    ).scalars():
        row.is_default = False
        row.updated_at = utc_now()
    db.session.flush()


def dao_get_serialised_service(service_id: uuid.UUID | str) -> SerialisedService:
    """Snapshot a service, its permissions and its guest list for the request hot path."""
    service = dao_get_service_by_id(service_id)
    guest_list = frozenset(entry.recipient for entry in dao_list_guest_list(service.id))
    return SerialisedService(
        id=service.id,
        name=service.name,
        active=service.active,
        restricted=service.restricted,
        rate_limit=service.rate_limit,
        sms_message_limit=service.sms_message_limit,
        email_message_limit=service.email_message_limit,
        international_sms_message_limit=service.international_sms_message_limit,
        letter_message_limit=service.letter_message_limit,
        email_sender_local_part=service.email_sender_local_part,
        custom_email_sender_name=service.custom_email_sender_name,
        prefix_sms=service.prefix_sms,
        contact_link=service.contact_link,
        permissions=frozenset(dao_list_service_permissions(service.id)),
        guest_list=guest_list,
    )


def dao_list_service_retention_days() -> list[tuple[uuid.UUID, int]]:
    """Every service's id with its data retention in days."""
    return [
        (row.id, row.data_retention_days) for row in db.session.execute(select(Service.id, Service.data_retention_days))
    ]
