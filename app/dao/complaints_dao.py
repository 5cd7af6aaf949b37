"""Complaints: a recipient marked one of our emails as spam (SES Complaint events)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from app.extensions import db
from app.models import Complaint


def dao_create_complaint(
    *,
    notification_id: uuid.UUID,
    service_id: uuid.UUID,
    ses_feedback_id: str | None,
    complaint_type: str | None,
    complaint_date: datetime | None,
) -> Complaint | None:
    """Store a complaint once per SES feedback id and commit; returns None when that feedback id is already stored."""
    statement = (
        insert(Complaint)
        .values(
            id=uuid.uuid4(),
            notification_id=notification_id,
            service_id=service_id,
            ses_feedback_id=ses_feedback_id,
            complaint_type=complaint_type,
            complaint_date=complaint_date,
        )
        .on_conflict_do_nothing(index_elements=[Complaint.ses_feedback_id])
        .returning(Complaint)
    )
    complaint = db.session.execute(statement).scalar_one_or_none()
    db.session.commit()
    return complaint


def dao_get_complaint_by_id(complaint_id: uuid.UUID | str) -> Complaint:
    return db.session.execute(select(Complaint).where(Complaint.id == complaint_id)).scalar_one()
