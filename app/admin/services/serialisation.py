"""Shape services and their settings for the admin API (never a secret)."""

from __future__ import annotations

from typing import Any

from app.dao.inbound_numbers_dao import dao_find_inbound_number_for_service
from app.dao.service_callback_dao import dao_list_service_callbacks
from app.dao.services_dao import (
    dao_list_email_reply_tos,
    dao_list_guest_list,
    dao_list_service_permissions,
    dao_list_sms_senders,
)
from app.models import Service, ServiceCallbackApi, ServiceEmailReplyTo, ServiceSmsSender


def serialise_sms_sender(sender: ServiceSmsSender) -> dict[str, Any]:
    return {"id": str(sender.id), "sms_sender": sender.sms_sender, "is_default": sender.is_default}


def serialise_email_reply_to(reply_to: ServiceEmailReplyTo) -> dict[str, Any]:
    return {
        "id": str(reply_to.id),
        "email_address": reply_to.email_address,
        "is_default": reply_to.is_default,
    }


def serialise_callback(callback: ServiceCallbackApi) -> dict[str, Any]:
    """A callback setting without its secrets: whether a bearer token is set, never the token."""
    return {
        "id": str(callback.id),
        "callback_type": callback.callback_type,
        "url": callback.url,
        "has_bearer_token": bool(callback.bearer_token),
        "created_at": callback.created_at.isoformat(),
        "updated_at": callback.updated_at.isoformat() if callback.updated_at else None,
        "version": callback.version,
    }


def serialise_service(service: Service) -> dict[str, Any]:
    inbound_number = dao_find_inbound_number_for_service(service.id)
    return {
        "id": str(service.id),
        "name": service.name,
        "active": service.active,
        "restricted": service.restricted,
        "rate_limit": service.rate_limit,
        "sms_message_limit": service.sms_message_limit,
        "email_message_limit": service.email_message_limit,
        "international_sms_message_limit": service.international_sms_message_limit,
        "letter_message_limit": service.letter_message_limit,
        "email_sender_local_part": service.email_sender_local_part,
        "custom_email_sender_name": service.custom_email_sender_name,
        "prefix_sms": service.prefix_sms,
        "data_retention_days": service.data_retention_days,
        "contact_link": service.contact_link,
        "bulk_share_weight": service.bulk_share_weight,
        "permissions": sorted(dao_list_service_permissions(service.id)),
        "sms_senders": [serialise_sms_sender(sender) for sender in dao_list_sms_senders(service.id)],
        "email_reply_to": [serialise_email_reply_to(reply) for reply in dao_list_email_reply_tos(service.id)],
        "guest_list": [
            {"recipient_type": entry.recipient_type, "recipient": entry.recipient}
            for entry in dao_list_guest_list(service.id)
        ],
        "callbacks": [
            {"id": str(callback.id), "callback_type": callback.callback_type, "url": callback.url}
            for callback in dao_list_service_callbacks(service.id)
        ],
        "inbound_number": inbound_number.number if inbound_number else None,
        "created_at": service.created_at.isoformat(),
        "updated_at": service.updated_at.isoformat() if service.updated_at else None,
        "version": service.version,
    }
