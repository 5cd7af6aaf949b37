"""Receive one inbound text message: find the service its number belongs to, store it, pass it on."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import NoResultFound

from app.callbacks.inbound_sms import enqueue_inbound_sms_callback
from app.clients.statsd_client import get_statsd_client
from app.dao.inbound_numbers_dao import dao_get_active_inbound_number
from app.dao.inbound_sms_dao import dao_create_inbound_sms
from app.dao.services_dao import dao_list_service_permissions
from app.inbound_sms.provider_fields import inbound_number_candidates
from app.models import InboundNumber, InboundSms, ServicePermissionType

logger = logging.getLogger(__name__)


def receive_inbound_sms(
    *,
    provider: str,
    notify_number: str,
    user_number: str,
    content: str,
    provider_reference: str | None,
    provider_date: datetime | None,
) -> InboundSms | None:
    """Store the message for the service that owns ``notify_number`` and queue its inbound-SMS callback.

    Returns None (storing nothing) when no service owns the number or the service may not receive text messages;
    the provider still gets a 200 so it does not send the message again.
    """
    inbound_number = _find_inbound_number(notify_number)
    if inbound_number is None or inbound_number.service_id is None:
        logger.warning(
            "Inbound SMS to number %s, which no service owns; dropped", notify_number, extra={"provider": provider}
        )
        get_statsd_client().incr(f"inbound.{provider}.failed")
        return None
    service_id = inbound_number.service_id
    if ServicePermissionType.INBOUND_SMS not in dao_list_service_permissions(service_id):
        logger.warning(
            "Inbound SMS for service %s without the inbound_sms permission; dropped",
            service_id,
            extra={"service_id": service_id, "provider": provider},
        )
        get_statsd_client().incr(f"inbound.{provider}.failed")
        return None
    inbound_sms = dao_create_inbound_sms(
        service_id=service_id,
        notify_number=inbound_number.number,
        user_number=user_number,
        content=content,
        provider=provider,
        provider_reference=provider_reference,
        provider_date=provider_date,
    )
    logger.info("Inbound SMS %s stored", inbound_sms.id, extra={"service_id": service_id, "provider": provider})
    get_statsd_client().incr(f"inbound.{provider}.successful")
    _queue_callback(inbound_sms)
    return inbound_sms


def _find_inbound_number(number: str) -> InboundNumber | None:
    for candidate in inbound_number_candidates(number):
        try:
            return dao_get_active_inbound_number(candidate)
        except NoResultFound:
            continue
    return None


def _queue_callback(inbound_sms: InboundSms) -> None:
    # The message is stored (and readable through the API) already; a broker failure leaves its callback pending for
    # beat (enqueue_callback_task), and the provider gets its 200 either way.
    enqueue_inbound_sms_callback(inbound_sms)
