"""Inbound numbers: which service receives text messages sent to which of our numbers."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app.extensions import db
from app.models import InboundNumber


def dao_assign_inbound_number(service_id: uuid.UUID, *, number: str, provider: str) -> InboundNumber:
    inbound_number = db.session.execute(
        select(InboundNumber).where(InboundNumber.number == number)
    ).scalar_one_or_none()
    if inbound_number is None:
        inbound_number = InboundNumber(number=number, provider=provider)
        db.session.add(inbound_number)
    inbound_number.service_id = service_id
    inbound_number.provider = provider
    inbound_number.active = True
    db.session.commit()
    return inbound_number


def dao_find_inbound_number_for_service(service_id: uuid.UUID) -> InboundNumber | None:
    return db.session.execute(select(InboundNumber).where(InboundNumber.service_id == service_id)).scalar_one_or_none()


def dao_get_active_inbound_number(number: str) -> InboundNumber:
    return db.session.execute(
        select(InboundNumber).where(InboundNumber.number == number, InboundNumber.active.is_(True))
    ).scalar_one()
