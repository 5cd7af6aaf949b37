"""Internal letter endpoints (letters.md §5.3, §5.6): cancel one letter before it is printed."""

from __future__ import annotations

import uuid

from flask import Response, current_app, jsonify, request

from app.authentication.auth import requires_admin_auth
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.envelopes import Envelope, HeraldBlueprint
from app.letters.cancellation import cancel_letter
from app.v2.notifications.serialise_notification import serialise_notification

admin_letters = HeraldBlueprint("admin_letters", __name__, envelope=Envelope.ADMIN)
admin_letters.before_request(requires_admin_auth)


@admin_letters.route("/service/<uuid:service_id>/notifications/<uuid:notification_id>/cancel", methods=["POST"])
def post_cancel_letter(service_id: uuid.UUID, notification_id: uuid.UUID) -> Response:
    notification = cancel_letter(service_id, notification_id)
    template = dao_get_template_history_by_id_and_version(notification.template_id, notification.template_version)
    return jsonify(
        serialise_notification(
            notification,
            template,
            url_root=request.host_url,
            sms_rate_pounds=current_app.config["SMS_RATE_POUNDS"],
            letter_rates_pounds=current_app.config["LETTER_RATES_POUNDS"],
        )
    )
