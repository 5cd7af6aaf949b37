"""POST /v2/notifications/sms and /email: send one notification (client-contract §4–5); letters: post_letter.py.

The checks run in GOV.UK Notify's order (notify-reference §1.9): authentication (the blueprint's before_request),
the rate and daily limits, the body's shape, then the domain checks in `app/notifications`. An optional
`Idempotency-Key` header makes a retry safe (`app/notifications/idempotency.py`).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app, g, jsonify, request

from app.errors import BadRequestError
from app.models import NotificationType
from app.notifications.idempotency import IDEMPOTENCY_KEY_HEADER, idempotent_request_for
from app.notifications.prepare_notification import ApiCaller, NotificationRequest, PreparedNotification
from app.notifications.send_notification import Replay, SendOutcome, admit_send_for, prepare_send, store_send
from app.request_json import InvalidJsonError, parsed_json_body
from app.v2.notifications import v2_notifications
from app.v2.notifications.schemas import ValidSendRequest, validate_send_request

INVALID_JSON_MESSAGE = "Invalid JSON supplied in POST data"
REPLAYED_HEADER = "Idempotent-Replayed"


def json_request_body() -> Any:
    """The parsed body, whatever its Content-Type. Raises BadRequestError when it is not JSON (app/request_json.py)."""
    try:
        return parsed_json_body()
    except InvalidJsonError as error:
        raise BadRequestError(INVALID_JSON_MESSAGE) from error


def notification_request_from(notification_type: str, valid: ValidSendRequest) -> NotificationRequest:
    body = valid.body
    is_sms = notification_type == NotificationType.SMS
    sender_id = body.get("sms_sender_id" if is_sms else "email_reply_to_id")
    return NotificationRequest(
        notification_type=notification_type,
        recipient=body["phone_number" if is_sms else "email_address"],
        validated_recipient=valid.recipient,
        template_id=uuid.UUID(body["template_id"]),
        personalisation=body.get("personalisation") or {},
        client_reference=body.get("reference"),
        sender_id=uuid.UUID(sender_id) if sender_id else None,
        unsubscribe_link=body.get("one_click_unsubscribe_url"),
        sanitise_content_for=tuple(body.get("sanitise_content_for") or ()),
    )


def _template_reference(prepared: PreparedNotification, host: str) -> dict[str, Any]:
    template = prepared.template
    return {
        "id": str(template.id),
        "version": template.version,
        "uri": f"{host}/services/{template.service_id}/templates/{template.id}",
    }


def create_post_sms_response(prepared: PreparedNotification, *, host: str) -> dict[str, Any]:
    return {
        "id": str(prepared.id),
        "reference": prepared.request.client_reference,
        "content": {"body": prepared.body, "from_number": prepared.reply_to_text},
        "uri": f"{host}/v2/notifications/{prepared.id}",
        "template": _template_reference(prepared, host),
        "scheduled_for": None,
    }


def create_post_email_response(prepared: PreparedNotification, *, host: str, email_domain: str) -> dict[str, Any]:
    return {
        "id": str(prepared.id),
        "reference": prepared.request.client_reference,
        "content": {
            "from_email": f"{prepared.caller.service.email_sender_local_part}@{email_domain}",
            "body": prepared.body,
            "subject": prepared.subject,
            "one_click_unsubscribe_url": prepared.request.unsubscribe_link,
        },
        "uri": f"{host}/v2/notifications/{prepared.id}",
        "template": _template_reference(prepared, host),
        "scheduled_for": None,
        "sanitised_content": prepared.sanitised_content,
    }


def create_post_response(prepared: PreparedNotification) -> dict[str, Any]:
    host = current_app.config["API_HOST_NAME"].rstrip("/")
    if prepared.request.notification_type == NotificationType.SMS:
        return create_post_sms_response(prepared, host=host)
    return create_post_email_response(prepared, host=host, email_domain=current_app.config["NOTIFY_EMAIL_DOMAIN"])


@v2_notifications.route("/sms", methods=["POST"], defaults={"notification_type": NotificationType.SMS.value})
@v2_notifications.route("/email", methods=["POST"], defaults={"notification_type": NotificationType.EMAIL.value})
def post_notification(notification_type: str) -> tuple[Response, int]:
    caller = ApiCaller(service=g.authenticated_service, api_key_id=g.api_user.id, key_type=g.api_user.key_type)
    with admit_send_for(caller, notification_type) as allowance:
        valid = validate_send_request(notification_type, json_request_body())
        idempotent = idempotent_request_for(request.headers.get(IDEMPOTENCY_KEY_HEADER), request.path, valid.body)
        prepared = prepare_send(
            notification_request_from(notification_type, valid), caller, allowance, idempotent=idempotent
        )
        if isinstance(prepared, Replay):
            outcome = SendOutcome(prepared.response_body, is_replay=True)
        else:
            outcome = store_send(
                prepared, allowance, response_body=create_post_response(prepared), idempotent=idempotent
            )
    response = jsonify(outcome.response_body)
    if outcome.is_replay:
        response.headers[REPLAYED_HEADER] = "true"
    return response, 201
