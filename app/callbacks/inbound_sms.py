"""The inbound-SMS callback: pass a text message someone sent to the service's number on to the service."""

from __future__ import annotations

import uuid
from typing import Any

from app.callbacks.dispatch import enqueue_callback_if_wanted, send_service_callback
from app.callbacks.timestamps import format_callback_datetime
from app.celery.queues import TaskNames
from app.dao.inbound_sms_dao import dao_get_inbound_sms_by_id
from app.models import CallbackType, InboundSms


def inbound_sms_payload(inbound_sms: InboundSms) -> dict[str, Any]:
    return {
        "id": str(inbound_sms.id),
        "source_number": inbound_sms.user_number,
        "destination_number": inbound_sms.notify_number,
        "message": inbound_sms.content,
        "date_received": format_callback_datetime(inbound_sms.provider_date or inbound_sms.created_at),
    }


def enqueue_inbound_sms_callback(inbound_sms: InboundSms) -> bool:
    """Queue the service's inbound-SMS callback; False (nothing queued) when the service has none."""
    return enqueue_callback_if_wanted(
        inbound_sms.service_id, CallbackType.INBOUND_SMS, TaskNames.SEND_INBOUND_SMS_TO_SERVICE, inbound_sms.id
    )


def send_inbound_sms(inbound_sms_id: uuid.UUID | str) -> int | None:
    inbound_sms = dao_get_inbound_sms_by_id(inbound_sms_id)
    return send_service_callback(inbound_sms.service_id, CallbackType.INBOUND_SMS, inbound_sms_payload(inbound_sms))
