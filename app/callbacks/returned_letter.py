"""The returned-letter callback: tell a service Royal Mail sent one of its letters back (letters.md §5.6)."""

from __future__ import annotations

import uuid
from typing import Any

from app.callbacks.dispatch import enqueue_callback_if_wanted, send_service_callback
from app.callbacks.timestamps import format_callback_datetime
from app.celery.queues import TaskNames
from app.dao.jobs_dao import dao_get_job_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.models import CallbackType, Notification


def returned_letter_payload(notification: Notification) -> dict[str, Any]:
    """Herald has no users: `sent_by` is `"API"` (Notify's value when no user sent it), and no letter is uploaded in
    an admin UI, so `upload_letter_file_name` is null."""
    template = dao_get_template_history_by_id_and_version(notification.template_id, notification.template_version)
    job = dao_get_job_by_id(notification.job_id) if notification.job_id else None
    is_shown_template = not template.hidden
    return {
        "notification_id": str(notification.id),
        "reference": notification.client_reference if notification.api_key_id else None,
        "date_sent": format_callback_datetime(notification.created_at),
        "sent_by": "API",
        "template_name": template.name if is_shown_template else None,
        "template_id": str(template.id) if is_shown_template else "None",
        "template_version": template.version if is_shown_template else None,
        "spreadsheet_file_name": job.original_file_name if job else None,
        "spreadsheet_row_number": notification.job_row_number + 1 if notification.job_row_number is not None else None,
        "upload_letter_file_name": None,
    }


def enqueue_returned_letter_callback(notification: Notification) -> bool:
    """Queue the service's returned-letter callback; False (nothing queued) when the service has none."""
    return enqueue_callback_if_wanted(
        notification.service_id,
        CallbackType.RETURNED_LETTER,
        TaskNames.SEND_RETURNED_LETTER_TO_SERVICE,
        notification.id,
    )


def send_returned_letter(notification_id: uuid.UUID | str) -> int | None:
    notification = dao_get_notification_by_id(notification_id)
    return send_service_callback(
        notification.service_id, CallbackType.RETURNED_LETTER, returned_letter_payload(notification)
    )
