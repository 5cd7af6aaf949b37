"""The delivery-status callback: tell a service its notification reached a final status (notify-reference §4.5)."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from app.callbacks.dispatch import enqueue_callback_if_wanted, send_service_callback
from app.callbacks.timestamps import format_callback_datetime
from app.celery.queues import TaskNames
from app.dao.notifications_dao import dao_get_notification_by_id
from app.models import CallbackType, Notification, NotificationType
from app.notification_status import is_final


def delivery_status_payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": str(notification.id),
        "reference": notification.client_reference,
        "to": notification.to,
        "status": notification.status,
        "created_at": format_callback_datetime(notification.created_at),
        # A final status is never written twice, so the last update is when the notification completed.
        "completed_at": format_callback_datetime(notification.updated_at),
        "sent_at": format_callback_datetime(notification.sent_at),
        "notification_type": notification.notification_type,
        "template_id": str(notification.template_id),
        "template_version": notification.template_version,
    }


class ChangedNotification(Protocol):
    """What queueing a delivery-status callback reads of a notification whose status just changed: a Notification,
    or the few columns a receipt's UPDATE returns (`notification_status_dao.ChangedStatus`)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def service_id(self) -> uuid.UUID: ...

    @property
    def notification_type(self) -> str: ...

    @property
    def status(self) -> str: ...


def enqueue_delivery_status_callback(notification: ChangedNotification) -> bool:
    """Queue the service's delivery-status callback for a notification that has just reached a final status.

    Call it once, right after the status change committed. Returns False (and queues nothing) when the status is
    not final, the notification is a letter (Notify sends letters no delivery-status callbacks, letters.md §5.2) or
    the service has no delivery-status callback. A broker failure leaves the callback pending for beat.
    """
    if not is_final(notification.status) or notification.notification_type == NotificationType.LETTER:
        return False
    return enqueue_callback_if_wanted(
        notification.service_id,
        CallbackType.DELIVERY_STATUS,
        TaskNames.SEND_DELIVERY_STATUS_TO_SERVICE,
        notification.id,
    )


def send_delivery_status(notification_id: uuid.UUID | str) -> int | None:
    """POST the notification's current (final) status to its service; see send_service_callback for the outcomes."""
    notification = dao_get_notification_by_id(notification_id)
    return send_service_callback(
        notification.service_id, CallbackType.DELIVERY_STATUS, delivery_status_payload(notification)
    )
