"""The complaint callback: tell a service a recipient marked one of its emails as spam."""

from __future__ import annotations

import uuid
from typing import Any

from app.callbacks.dispatch import enqueue_callback_if_wanted, send_service_callback
from app.callbacks.timestamps import format_callback_datetime
from app.celery.queues import TaskNames
from app.dao.complaints_dao import dao_get_complaint_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.models import CallbackType, Complaint, Notification


def complaint_payload(complaint: Complaint, notification: Notification) -> dict[str, Any]:
    return {
        "notification_id": str(notification.id),
        "complaint_id": str(complaint.id),
        "reference": notification.client_reference,
        "to": notification.to,
        "complaint_date": format_callback_datetime(complaint.complaint_date or complaint.created_at),
    }


def enqueue_complaint_callback(complaint: Complaint) -> bool:
    """Queue the service's complaint callback; False (nothing queued) when the service has none."""
    return enqueue_callback_if_wanted(
        complaint.service_id, CallbackType.COMPLAINT, TaskNames.SEND_COMPLAINT_TO_SERVICE, complaint.id
    )


def send_complaint(complaint_id: uuid.UUID | str) -> int | None:
    complaint = dao_get_complaint_by_id(complaint_id)
    notification = dao_get_notification_by_id(complaint.notification_id)
    return send_service_callback(
        complaint.service_id, CallbackType.COMPLAINT, complaint_payload(complaint, notification)
    )
