"""POST /notifications/letter/status?token=…: the print provider's despatch confirmation (letters.md §5.5).

No auth header: the token in the query string is the notification id Herald signed when it sent the letter
(`letters/despatch_token.py`), so only the provider it was given to can confirm that letter. Errors use the v2
envelope. The confirmation is applied while the provider waits (one guarded UPDATE); when the database cannot take it
now, it is queued as `process-letter-callback` and the provider still hears 204.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import current_app, request
from jsonschema import Draft7Validator
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import OperationalError as DatabaseError

from app.authentication.auth import requires_no_auth
from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import AuthError, BadRequestError, HeraldError, ValidationError
from app.extensions import db
from app.letters.despatch import DESPATCHED, REJECTED, apply_despatch_confirmation
from app.letters.despatch_token import InvalidDespatchTokenError, notification_id_of_despatch_token
from app.receipts.request_body import body_size_limit
from app.request_json import InvalidJsonError, parsed_json_body

logger = logging.getLogger(__name__)

receipts_letter = HeraldBlueprint("receipts_letter", __name__, envelope=Envelope.PUBLIC)
receipts_letter.before_request(requires_no_auth)
# A confirmation is well under 1 KB.
MAX_LETTER_CALLBACK_BYTES = 16 * 1024
receipts_letter.before_request(body_size_limit(MAX_LETTER_CALLBACK_BYTES))

_PROPERTY = {"type": "object", "required": ["key", "value"], "properties": {"key": {"type": "string"}}}
LETTER_CALLBACK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "time", "data", "metadata"],
    "properties": {
        "id": {"type": "string", "maxLength": 100},
        "time": {"type": "string", "maxLength": 100},
        "metadata": {
            "type": "object",
            "required": ["correlationId"],
            "properties": {"correlationId": {"type": "string", "maxLength": 100}},
        },
        "data": {
            "type": "object",
            "required": ["jobId", "jobStatus", "transitionDate"],
            "properties": {
                "jobId": {"type": "string", "maxLength": 100},
                "jobStatus": {"enum": [DESPATCHED, REJECTED]},
                "transitionDate": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"},
                "despatchProperties": {"type": "array", "minItems": 3, "maxItems": 20, "items": _PROPERTY},
            },
            "if": {"properties": {"jobStatus": {"const": DESPATCHED}}},
            "then": {"required": ["despatchProperties"]},
        },
    },
}
_VALIDATOR = Draft7Validator(LETTER_CALLBACK_SCHEMA)
POSTAGE_CLASSES = ("1ST", "2ND", "INTERNATIONAL")
MAILING_PRODUCTS = ("UNCODED", "MM UNSORTED", "UNSORTED", "MM", "INT EU", "INT ROW", "UNSORTEDE", "MM ECONOMY")


@receipts_letter.route("/notifications/letter/status", methods=["POST"])
def receive_letter_despatch_confirmation() -> tuple[str, int]:
    notification_id = _token_notification_id()
    body = _checked_body()
    data = body["data"]
    if data["jobId"] != str(notification_id):
        raise BadRequestError("Notification ID in letter callback data does not match ID in token")
    total_sheets = _despatch_properties(data).get("totalSheets")
    _apply_or_queue(notification_id, data["jobStatus"], total_sheets)
    return "", 204


def _token_notification_id() -> uuid.UUID:
    try:
        return notification_id_of_despatch_token(current_app.config["SECRET_KEY"], request.args.get("token", ""))
    except InvalidDespatchTokenError as error:
        raise AuthError("A valid token must be provided in the query string", 403) from error


def _checked_body() -> dict[str, Any]:
    try:
        body = parsed_json_body()
    except InvalidJsonError as error:
        raise BadRequestError("Invalid JSON supplied in POST data") from error
    errors = sorted(_VALIDATOR.iter_errors(body), key=lambda error: list(error.path))
    if errors:
        raise ValidationError([_message(error.path, error.message) for error in errors[:10]])
    if body["data"]["jobStatus"] == DESPATCHED:
        _check_despatch_properties(_despatch_properties(body["data"]))
    return dict(body)


def _message(path: Any, message: str) -> str:
    where = ".".join(str(part) for part in path)
    return f"{where} {message}" if where else message


def _despatch_properties(data: dict[str, Any]) -> dict[str, Any]:
    return {item["key"]: item["value"] for item in data.get("despatchProperties", [])}


def _check_despatch_properties(properties: dict[str, Any]) -> None:
    problems = []
    if not isinstance(properties.get("totalSheets"), str):
        problems.append("data.despatchProperties totalSheets is required")
    if properties.get("postageClass") not in POSTAGE_CLASSES:
        problems.append(f"data.despatchProperties postageClass must be one of {', '.join(POSTAGE_CLASSES)}")
    if properties.get("mailingProduct") not in MAILING_PRODUCTS:
        problems.append(f"data.despatchProperties mailingProduct must be one of {', '.join(MAILING_PRODUCTS)}")
    if problems:
        raise ValidationError(problems)


def _apply_or_queue(notification_id: uuid.UUID, job_status: str, total_sheets: str | None) -> None:
    try:
        apply_despatch_confirmation(notification_id, job_status, total_sheets=total_sheets)
        return
    except DatabaseError:
        db.session.rollback()
        logger.warning(
            "Database error applying a despatch confirmation; queued for a retry",
            extra={"notification_id": str(notification_id), "provider": "dvla"},
        )
    try:
        task_queue.queue_task(
            TaskNames.PROCESS_LETTER_CALLBACK,
            args=[str(notification_id), job_status, total_sheets],
            queue=QueueNames.RECEIPTS,
        )
    except BrokerError as error:
        logger.exception("Could not queue a despatch confirmation", extra={"notification_id": str(notification_id)})
        raise HeraldError("The confirmation could not be recorded; try again later", 503) from error
