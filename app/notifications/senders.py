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

from app.dao.services_dao import dao_list_email_reply_tos, dao_list_sms_senders
from app.errors import BadRequestError
from app.models import NotificationType
from app.notifications.ttl_cache import CacheName, TtlCache, app_cache

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


def reply_to_text_for(service_id: uuid.UUID, notification_type: str, sender_id: uuid.UUID | None) -> str | None:
    """The chosen sender's text, or the service's default (None when it has none).

    Raises BadRequestError `<field> <id> does not exist in database for service id <service id>` for an id that is
    not one of the service's (unarchived) senders.
    """
    options = _cache().get((service_id, notification_type), lambda: _load(service_id, notification_type))
    if sender_id is None:
        return next((option.text for option in options if option.is_default), None)
    chosen = _find(options, sender_id) or _find(_load(service_id, notification_type), sender_id)
    if chosen is None:
        raise BadRequestError(
            f"{SENDER_ID_FIELDS[notification_type]} {sender_id} does not exist in database for service id {service_id}"
        )
    return chosen.text
