"""POST /deliver/notification/<id> (admin): send one notification to its provider now, beside the workers."""

from __future__ import annotations

import logging
import uuid

from flask import Response, jsonify

from app.authentication.auth import requires_admin_auth
from app.celery.queues import QueueNames
from app.dao.notifications_dao import dao_get_notification_by_id
from app.delivery.errors import DeliveryRetryableError, NotificationTechnicalFailureException
from app.delivery.queueing import enqueue_deliver_task
from app.delivery.send_to_providers import send_email_to_provider, send_sms_to_provider
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest
from app.models import NotificationType

logger = logging.getLogger(__name__)

admin_deliver = HeraldBlueprint("admin_deliver", __name__, url_prefix="/deliver", envelope=Envelope.ADMIN)
admin_deliver.before_request(requires_admin_auth)


@admin_deliver.route("/notification/<uuid:notification_id>", methods=["POST"])
def deliver_notification(notification_id: uuid.UUID) -> Response:
    """Answer the status after the attempt. When the provider fails, the notification goes to the retry queue
    (to another provider; after the wait for a receipt when the provider may have taken it) and the answer is 503."""
    notification = dao_get_notification_by_id(notification_id)
    notification_type, key_type = notification.notification_type, notification.key_type
    send = send_email_to_provider if notification_type == NotificationType.EMAIL else send_sms_to_provider
    try:
        status = send(notification_id)
    except DeliveryRetryableError as error:
        enqueue_deliver_task(
            notification_id,
            notification_type,
            key_type,
            queue=QueueNames.RETRY,
            failed_provider=error.failed_provider,
            countdown_seconds=error.retry_after_seconds,
        )
        raise InvalidRequest(
            f"Notification {notification_id} could not be sent now ({error}); it is queued for retry", 503
        ) from error
    except NotificationTechnicalFailureException as error:
        raise InvalidRequest(str(error), 400) from error
    return jsonify(id=str(notification_id), status=status)
