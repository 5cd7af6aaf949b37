"""The one write a SES event makes before its status change when SES's answer to the send was lost: it records the
event's message id as the notification's reference, so the status machine (`receipts/apply_receipt.py`) can apply it
and later events find the notification by reference as usual."""

from __future__ import annotations

import uuid

from sqlalchemy import and_, or_, update

from app.extensions import db
from app.models import Notification, NotificationType
from app.notification_status import NotificationStatus
from app.statsd_decorators import statsd

SES_PROVIDER = "ses"


@statsd(namespace="dao")
def dao_record_ses_message_id_of_unanswered_send(notification_id: uuid.UUID, *, message_id: str) -> str | None:
    """Record ``message_id`` as the reference of an email handed to SES whose answer never came: it is `sending` or
    waits in `created` for a receipt (`receipt_wait_until` set), and no answer (no `sent_at`, no reference) was
    recorded. Returns its status, or None when it is not such a notification. Commits."""
    statement = (
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.notification_type == NotificationType.EMAIL,
            Notification.sent_by == SES_PROVIDER,
            Notification.sent_at.is_(None),
            Notification.reference.is_(None),
            or_(
                Notification.status == NotificationStatus.SENDING,
                and_(Notification.status == NotificationStatus.CREATED, Notification.receipt_wait_until.is_not(None)),
            ),
        )
        .values(reference=message_id)
        .returning(Notification.status)
        .execution_options(synchronize_session=False)
    )
    status = db.session.execute(statement).scalar_one_or_none()
    db.session.commit()
    return status
