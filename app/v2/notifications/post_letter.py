"""POST /v2/notifications/letter: send one letter (letters.md §1–2).

One URL, two request shapes: a body with a top-level `content` key is a precompiled PDF (`letters/precompiled.py`),
anything else a templated letter. The checks run in Notify's order: authentication, the rate and daily limits, the
body, then the domain checks in `letters/send_letter.py`. A templated letter takes a second rate-limit token after
the body is parsed, as Notify's does (its two handlers each take one, letters.md §1).
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app, g, jsonify, request
from jsonschema import Draft7Validator

from app.errors import ValidationError
from app.letters.precompiled import is_precompiled_letter_request, send_precompiled_letter
from app.letters.send_letter import prepare_letter
from app.limits.admission import SendAllowance, take_rate_limit_token
from app.models import NotificationType
from app.notifications.idempotency import IDEMPOTENCY_KEY_HEADER, find_previous_response, idempotent_request_for
from app.notifications.prepare_notification import ApiCaller, LetterRequest, PreparedNotification
from app.notifications.send_notification import SendOutcome, admit_send_for, store_send
from app.redis_store import redis_client
from app.v2.notifications import v2_notifications
from app.v2.notifications.post_notification import REPLAYED_HEADER, json_request_body
from app.v2.notifications.schemas import FORMAT_CHECKER, MAX_REFERENCE_LENGTH, send_violation_message
from app.v2.request_validation import UUID_SCHEMA

POST_LETTER_REQUEST: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "POST v2/notifications/letter",
    "type": "object",
    "properties": {
        "template_id": UUID_SCHEMA,
        "personalisation": {"type": "object"},
        "reference": {"type": "string", "maxLength": MAX_REFERENCE_LENGTH, "format": "text_without_nul"},
    },
    "required": ["template_id", "personalisation"],
    "additionalProperties": False,
}
_VALIDATOR = Draft7Validator(POST_LETTER_REQUEST, format_checker=FORMAT_CHECKER)


def validate_letter_request(body: Any) -> LetterRequest:
    """Raise ValidationError with every violation of `post_letter_request`, in Notify's words."""
    violations = list(_VALIDATOR.iter_errors(body))
    if violations:
        raise ValidationError([send_violation_message(violation) for violation in violations])
    return LetterRequest(
        template_id=uuid.UUID(body["template_id"]),
        personalisation=body["personalisation"],
        client_reference=body.get("reference"),
    )


def create_post_letter_response(prepared: PreparedNotification) -> dict[str, Any]:
    """Notify's `post_letter_response`: no postage, no recipient."""
    host = current_app.config["API_HOST_NAME"].rstrip("/")
    template = prepared.template
    return {
        "id": str(prepared.id),
        "reference": prepared.request.client_reference,
        "content": {"body": prepared.body, "subject": prepared.subject},
        "uri": f"{host}/v2/notifications/{prepared.id}",
        "template": {
            "id": str(template.id),
            "version": template.version,
            "uri": f"{host}/services/{template.service_id}/templates/{template.id}",
        },
        "scheduled_for": None,
    }


@v2_notifications.route("/letter", methods=["POST"])
def post_letter_notification() -> tuple[Response, int]:
    caller = ApiCaller(service=g.authenticated_service, api_key_id=g.api_user.id, key_type=g.api_user.key_type)
    with admit_send_for(caller, NotificationType.LETTER) as allowance:
        body = json_request_body()
        if is_precompiled_letter_request(body):
            return jsonify(send_precompiled_letter(body, caller, allowance)), 201
        take_rate_limit_token(
            redis_client(),
            service=caller.service,
            key_type=caller.key_type,
            interval_seconds=current_app.config["RATE_LIMIT_INTERVAL_SECONDS"],
        )
        outcome = _send_templated_letter(caller, body, allowance)
    response = jsonify(outcome.response_body)
    if outcome.is_replay:
        response.headers[REPLAYED_HEADER] = "true"
    return response, 201


def _send_templated_letter(caller: ApiCaller, body: Any, allowance: SendAllowance) -> SendOutcome:
    letter_request = validate_letter_request(body)
    idempotent = idempotent_request_for(request.headers.get(IDEMPOTENCY_KEY_HEADER), request.path, body)
    if idempotent is not None:
        previous = find_previous_response(caller.service.id, caller.key_type, idempotent)
        if previous is not None:
            return SendOutcome(previous, is_replay=True)
    config = current_app.config
    prepared = prepare_letter(
        letter_request,
        caller,
        admin_base_url=config["ADMIN_BASE_URL"],
        fake_test_delivery=config["TEST_LETTERS_FAKE_DELIVERY"],
    )
    return store_send(prepared, allowance, response_body=create_post_letter_response(prepared), idempotent=idempotent)
