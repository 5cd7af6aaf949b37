"""Inbound text messages: store what a provider passed on to us, and read them back by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, literal, select, tuple_

from app.dao.row_picking import picked_once
from app.dao.rows_changed import rows_changed
from app.extensions import db
from app.models import InboundSms


def dao_create_inbound_sms(
    *,
    service_id: uuid.UUID,
    notify_number: str,
    user_number: str,
    content: str,
    provider: str,
    provider_reference: str | None,
    provider_date: datetime | None,
) -> InboundSms:
    """Store one inbound message (content encrypted by the model) and commit."""
    inbound_sms = InboundSms(
        service_id=service_id,
        notify_number=notify_number,
        user_number=user_number,
        provider=provider,
        provider_reference=provider_reference,
        provider_date=provider_date,
    )
    inbound_sms.content = content
    db.session.add(inbound_sms)
    db.session.commit()
    return inbound_sms


def dao_get_inbound_sms_by_id(inbound_sms_id: uuid.UUID | str) -> InboundSms:
    return db.session.execute(select(InboundSms).where(InboundSms.id == inbound_sms_id)).scalar_one()


def dao_delete_inbound_sms_created_before(service_id: uuid.UUID, *, created_before: datetime, limit: int) -> int:
    """Delete up to ``limit`` of the service's inbound messages received before ``created_before``; commits.
    Returns how many were deleted."""
    picked = (
        select(InboundSms.id)
        .where(InboundSms.service_id == service_id, InboundSms.created_at < created_before)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    deleted = db.session.execute(
        delete(InboundSms).where(InboundSms.id.in_(picked_once(picked))).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rows_changed(deleted)


def dao_list_inbound_sms_for_service(
    service_id: uuid.UUID,
    *,
    limit: int,
    created_since: datetime,
    older_than_id: uuid.UUID | str | None = None,
) -> Sequence[InboundSms]:
    """One page of a service's inbound messages received since ``created_since``, newest first.

    Paged with a keyset cursor on (created_at, id) over the (service_id, created_at) index: ``older_than_id``
    excludes that message and everything newer; an id the service does not have gives an empty page.
    """
    query = select(InboundSms).where(InboundSms.service_id == service_id, InboundSms.created_at >= created_since)
    if older_than_id is not None:
        cursor_created_at = db.session.execute(
            select(InboundSms.created_at).where(InboundSms.id == older_than_id, InboundSms.service_id == service_id)
        ).scalar_one_or_none()
        if cursor_created_at is None:
            return []
        query = query.where(
            InboundSms.created_at <= cursor_created_at,
            tuple_(InboundSms.created_at, InboundSms.id)
            < tuple_(literal(cursor_created_at), literal(uuid.UUID(str(older_than_id)))),
        )
    query = query.order_by(InboundSms.created_at.desc(), InboundSms.id.desc()).limit(limit)
    return db.session.execute(query).scalars().all()
