"""Who a notification says it is from: the SMS sender or email reply-to address, cached per service.

The text is resolved when the notification is accepted and stored as `reply_to_text`, so the worker sends exactly
what the API answered. Senders are cached for SEND_CACHE_SECONDS; an id the cache does not know is looked up again
before it is refused, so a sender created a moment ago is never refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app

from app.caches import CacheName, TtlCache, app_cache
from app.dao.services_dao import dao_list_email_reply_tos, dao_list_sms_senders
from app.errors import BadRequestError
from app.models import NotificationType

SENDER_ID_FIELDS = {NotificationType.SMS.value: "sms_sender_id", NotificationType.EMAIL.value: "email_reply_to_id"}


@dataclass(frozen=True)
class SenderOption:
    id: uuid.UUID
    text: str
    is_default: bool


SERVICE_SENDERS = CacheName[tuple[SenderOption, ...]]("herald_service_senders")


def _cache() -> TtlCache[tuple[SenderOption, ...]]:
    return app_cache(SERVICE_SENDERS, current_app.config["SEND_CACHE_SECONDS"])


def _load(service_id: uuid.UUID, notification_type: str) -> tuple[SenderOption, ...]:
    if notification_type == NotificationType.SMS:
        return tuple(SenderOption(row.id, row.sms_sender, row.is_default) for row in dao_list_sms_senders(service_id))
    return tuple(
        SenderOption(row.id, row.email_address, row.is_default) for row in dao_list_email_reply_tos(service_id)
    )


def _find(options: Sequence[SenderOption], sender_id: uuid.UUID) -> SenderOption | None:
    return next((option for option in options if option.id == sender_id), None)


def choose_reply_to_text(
    service_id: uuid.UUID, notification_type: str, sender_id: uuid.UUID | None, *, default_sms_sender: str | None
) -> str | None:
    """The one rule for who a notification is from, at every stage (API, job rows, worker).

    The chosen sender while the service still has it; else the service's default; else, for an SMS,
    ``default_sms_sender`` (FROM_NUMBER); else None (an email with no reply-to address).
    """
    options = _cache().get((service_id, notification_type), lambda: _load(service_id, notification_type))
    chosen = _chosen(service_id, notification_type, options, sender_id) if sender_id is not None else None
    if chosen is not None:
        return chosen.text
    default = next((option.text for option in options if option.is_default), None)
    if default is None and notification_type == NotificationType.SMS:
        return default_sms_sender
    return default


def reply_to_text_for(
    service_id: uuid.UUID, notification_type: str, sender_id: uuid.UUID | None, *, default_sms_sender: str | None = None
) -> str | None:
    """choose_reply_to_text for a send request, whose chosen sender must be one of the service's.

    Raises BadRequestError `<field> <id> does not exist in database for service id <service id>` for an id that is
    not one of the service's (unarchived) senders.
    """
    if sender_id is not None:
        options = _cache().get((service_id, notification_type), lambda: _load(service_id, notification_type))
        if _chosen(service_id, notification_type, options, sender_id) is None:
            raise BadRequestError(
                f"{SENDER_ID_FIELDS[notification_type]} {sender_id} does not exist in database for service id "
                f"{service_id}"
            )
    return choose_reply_to_text(service_id, notification_type, sender_id, default_sms_sender=default_sms_sender)


def _chosen(
    service_id: uuid.UUID, notification_type: str, options: Sequence[SenderOption], sender_id: uuid.UUID
) -> SenderOption | None:
    """The chosen sender; an id the cache does not know is looked up again, so a sender created a moment ago is
    found."""
    return _find(options, sender_id) or _find(_load(service_id, notification_type), sender_id)
