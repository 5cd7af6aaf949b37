"""POST /notifications/sms/mmg (JSON) and /notifications/sms/firetext (form): check, apply (or queue), answer."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, jsonify, request

from app.authentication.auth import requires_no_auth
from app.celery.queues import TaskNames
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest
from app.receipts.basic_auth import check_basic_auth
from app.receipts.errors import InvalidReceiptError
from app.receipts.queueing import apply_or_queue_receipt
from app.receipts.request_body import body_size_limit, json_object_body
from app.receipts.sms_receipts import (
    SMS_RECEIPT_APPLIERS,
    SMS_RECEIPT_REFERENCE_FIELDS,
    notification_id_of_sms_receipt,
)
from config import DEVELOPMENT_ENVIRONMENTS

logger = logging.getLogger(__name__)

# Providers get errors in the admin envelope {"result": "error", "message": [...]}.
receipts_sms = HeraldBlueprint("receipts_sms", __name__, envelope=Envelope.ADMIN)
receipts_sms.before_request(requires_no_auth)

MMG_RECEIPT_FIELDS = ("CID", "status", "substatus", "reference", "deliverytime")
FIRETEXT_RECEIPT_FIELDS = ("reference", "status", "code", "time")
# An MMG or Firetext receipt is a few hundred bytes.
MAX_SMS_RECEIPT_BYTES = 16 * 1024


@receipts_sms.before_request
def check_receipt_basic_auth() -> None:
    """Receipts need the configured basic-auth credentials; only development and tests may configure none (then the
    endpoints are open for the simulator). Outside them Herald does not start without credentials (config.py)."""
    username = current_app.config["RECEIPT_BASIC_AUTH_USERNAME"]
    password = current_app.config["RECEIPT_BASIC_AUTH_PASSWORD"]
    is_open = not username and not password and current_app.config["NOTIFY_ENVIRONMENT"] in DEVELOPMENT_ENVIRONMENTS
    if not is_open:
        check_basic_auth(username, password)


receipts_sms.before_request(body_size_limit(MAX_SMS_RECEIPT_BYTES))  # after the credentials are checked


@receipts_sms.route("/notifications/sms/mmg", methods=["POST"])
def receive_mmg_receipt() -> tuple[Response, int]:
    receipt = _receipt_fields(json_object_body("MMG callback failed"), MMG_RECEIPT_FIELDS)
    notification_id = _check_receipt(receipt, provider="mmg", client_name="MMG", required=("status", "CID"))
    _apply_or_queue("mmg", notification_id, receipt)
    return jsonify(result="success"), 200


@receipts_sms.route("/notifications/sms/firetext", methods=["POST"])
def receive_firetext_receipt() -> tuple[Response, int]:
    receipt = _receipt_fields(request.form, FIRETEXT_RECEIPT_FIELDS)
    notification_id = _check_receipt(
        receipt, provider="firetext", client_name="Firetext", required=("status", "reference")
    )
    _apply_or_queue("firetext", notification_id, receipt)
    return jsonify(result="success"), 200


def _apply_or_queue(provider: str, notification_id: uuid.UUID, receipt: dict[str, str]) -> None:
    """Apply the receipt now, or queue it in a process_sms_receipts(provider, receipts) to apply it later."""
    apply = SMS_RECEIPT_APPLIERS[provider]
    apply_or_queue_receipt(
        lambda: apply(notification_id, receipt),
        TaskNames.PROCESS_SMS_RECEIPTS,
        receipt,
        provider=provider,
        leading_args=(provider,),
    )


SHOWN_REFERENCE_LENGTH = 40


def _receipt_fields(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    """Keep the fields the receipt task needs, as strings; the recipient's number is left behind."""
    return {field: str(data[field]).strip() for field in fields if data.get(field) is not None}


def _check_receipt(
    receipt: Mapping[str, str], *, provider: str, client_name: str, required: tuple[str, ...]
) -> uuid.UUID:
    """Check the receipt names its notification and a status; returns the notification id, parsed here once."""
    missing = [f"{client_name} callback failed: {field} missing" for field in required if not receipt.get(field)]
    if missing:
        raise InvalidRequest(missing, 400)
    try:
        return notification_id_of_sms_receipt(receipt, provider=provider)
    except InvalidReceiptError as error:
        # Notify's message names the reference; an untrusted one is shown only as far as a real one would go.
        reference = receipt[SMS_RECEIPT_REFERENCE_FIELDS[provider]][:SHOWN_REFERENCE_LENGTH]
        raise InvalidRequest([f"{client_name} callback with invalid reference {reference}"], 400) from error
