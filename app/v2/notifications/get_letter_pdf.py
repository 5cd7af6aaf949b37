"""GET /v2/notifications/{notification_id}/pdf: a letter's PDF, with Notify's errors word for word (letters.md §4).

A letter whose PDF is not made yet (or cannot be read just now) gets `PDFNotReadyError`, which the clients retry.
A precompiled letter is served as it was sent once it passed its checks; a refused one (`validation-failed`) as the
file that was refused.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, g

from app.dao.notifications_dao import dao_get_notification_by_id_for_service
from app.dao.precompiled_letters_dao import precompiled_template_id
from app.errors import BadRequestError, PDFNotReadyError
from app.letters.create_pdf import letter_file_of
from app.letters.pdf_store import LetterPdfNotFoundError, LetterPdfStoreError, letter_pdf_store
from app.models import Notification, NotificationType
from app.notification_status import NotificationStatus
from app.v2.notifications import v2_notifications
from app.v2.request_validation import validate_uuid

logger = logging.getLogger(__name__)


def check_letter_pdf_can_be_read(notification: Notification) -> None:
    if notification.notification_type != NotificationType.LETTER:
        raise BadRequestError("Notification is not a letter")
    if notification.status == NotificationStatus.VIRUS_SCAN_FAILED:
        raise BadRequestError("File did not pass the virus scan")
    if notification.status == NotificationStatus.TECHNICAL_FAILURE:
        raise BadRequestError(f"PDF not available for letters in status {notification.status}")
    if notification.status == NotificationStatus.PENDING_VIRUS_CHECK:
        raise PDFNotReadyError()


def _pdf_name(notification: Notification) -> str:
    letter_file = letter_file_of(notification)
    is_precompiled = notification.template_id == precompiled_template_id(notification.service_id)
    if is_precompiled and notification.status == NotificationStatus.VALIDATION_FAILED:
        return letter_file.invalid_name
    return letter_file.name


@v2_notifications.route("/<notification_id>/pdf", methods=["GET"])
def get_pdf_for_notification(notification_id: str) -> Response:
    validate_uuid(notification_id, "notification_id")
    notification = dao_get_notification_by_id_for_service(g.service_id, notification_id)
    check_letter_pdf_can_be_read(notification)
    try:
        pdf = letter_pdf_store(current_app.config).get(_pdf_name(notification))
    except LetterPdfNotFoundError as error:
        raise PDFNotReadyError() from error
    except LetterPdfStoreError as error:
        logger.warning(
            "Letter %s PDF could not be read", notification.id, extra={"notification_id": str(notification.id)}
        )
        raise PDFNotReadyError() from error
    return Response(pdf, status=200, mimetype="application/pdf")
