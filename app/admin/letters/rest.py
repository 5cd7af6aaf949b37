"""Internal letter endpoints (letters.md §5.3, §5.6): cancel one letter before it is printed; report letters Royal
Mail returned."""

from __future__ import annotations

import uuid

from flask import Response, current_app, jsonify, request
from marshmallow import Schema, fields, validate

from app.admin.request_body import load_admin_body
from app.authentication.auth import requires_admin_auth
from app.clock import utc_now
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.envelopes import Envelope, HeraldBlueprint
from app.letters.cancellation import cancel_letter, cancel_letter_job
from app.letters.pdf_store import LONDON
from app.letters.returned import enqueue_returned_letters
from app.receipts.request_body import body_size_limit
from app.v2.notifications.serialise_notification import serialise_notification

admin_letters = HeraldBlueprint("admin_letters", __name__, envelope=Envelope.ADMIN)
admin_letters.before_request(requires_admin_auth)
# 100,000 references of 16 characters, quoted and separated, fit in 2 MB.
MAX_RETURNED_REFERENCES = 100_000
admin_letters.before_request(body_size_limit(2 * 1024 * 1024))


class ReturnedLettersSchema(Schema):
    references = fields.List(
        fields.String(validate=validate.Regexp(r"[0-9A-Z]{16}\Z")),
        required=True,
        validate=validate.Length(min=1, max=MAX_RETURNED_REFERENCES),
    )


@admin_letters.route("/service/<uuid:service_id>/job/<uuid:job_id>/cancel-letter-job", methods=["POST"])
def post_cancel_letter_job(service_id: uuid.UUID, job_id: uuid.UUID) -> tuple[Response, int]:
    return jsonify(cancel_letter_job(service_id, job_id)), 200


@admin_letters.route("/letters/returned", methods=["POST"])
def post_returned_letters() -> Response:
    references = load_admin_body(ReturnedLettersSchema())["references"]
    enqueue_returned_letters(references, reported_at=utc_now().astimezone(LONDON).date())
    return jsonify(references=references)


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
