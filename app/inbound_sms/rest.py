"""POST /notifications/sms/receive/mmg (JSON) and /notifications/sms/receive/firetext (form), behind basic auth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, jsonify, request

from app.authentication.auth import requires_no_auth
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest
from app.inbound_sms.provider_fields import UK_TIME, decode_mmg_message, parse_provider_time
from app.inbound_sms.receive import receive_inbound_sms
from app.receipts.basic_auth import check_basic_auth
from app.receipts.request_body import body_size_limit, json_object_body

MAX_NUMBER_LENGTH = 20  # inbound_sms.user_number and notify_number
MAX_REFERENCE_LENGTH = 255  # inbound_sms.provider_reference

# Providers get errors in the admin envelope {"result": "error", "message": [...]}.
receipts_inbound_sms = HeraldBlueprint("receipts_inbound_sms", __name__, envelope=Envelope.ADMIN)
receipts_inbound_sms.before_request(requires_no_auth)


# A concatenated text message of a few dozen parts, URL- or base64-encoded, with its fields.
MAX_INBOUND_SMS_BYTES = 64 * 1024


@receipts_inbound_sms.before_request
def check_inbound_sms_basic_auth() -> None:
    """Always required (development has default credentials; a deployment must set its own, see config.py)."""
    check_basic_auth(
        current_app.config["INBOUND_SMS_BASIC_AUTH_USERNAME"],
        current_app.config["INBOUND_SMS_BASIC_AUTH_PASSWORD"],
    )


receipts_inbound_sms.before_request(body_size_limit(MAX_INBOUND_SMS_BYTES))  # after the credentials are checked


@receipts_inbound_sms.route("/notifications/sms/receive/mmg", methods=["POST"])
def receive_mmg_inbound_sms() -> tuple[Response, int]:
    data = json_object_body("MMG inbound SMS failed")
    _check_fields(data, ("MSISDN", "Number", "Message", "ID"), client_name="MMG")
    _check_stored_lengths(
        data, {"MSISDN": MAX_NUMBER_LENGTH, "Number": MAX_NUMBER_LENGTH, "ID": MAX_REFERENCE_LENGTH}, client_name="MMG"
    )
    receive_inbound_sms(
        provider="mmg",
        notify_number=str(data["Number"]),
        user_number=str(data["MSISDN"]),
        content=decode_mmg_message(str(data["Message"])),
        provider_reference=str(data["ID"]),
        # MMG's field name is spelt this way. Its times are UTC.
        provider_date=parse_provider_time(data.get("DateRecieved")),
    )
    return jsonify(status="ok"), 200


@receipts_inbound_sms.route("/notifications/sms/receive/firetext", methods=["POST"])
def receive_firetext_inbound_sms() -> tuple[Response, int]:
    data = request.form
    _check_fields(data, ("source", "destination", "message"), client_name="Firetext")
    _check_stored_lengths(data, {"source": MAX_NUMBER_LENGTH, "destination": MAX_NUMBER_LENGTH}, client_name="Firetext")
    receive_inbound_sms(
        provider="firetext",
        notify_number=data["destination"],
        user_number=data["source"],
        content=data["message"],
        provider_reference=None,
        # Firetext's times are UK local time unless they carry an offset.
        provider_date=parse_provider_time(data.get("time"), naive_zone=UK_TIME),
    )
    return jsonify(status="ok"), 200


def _check_fields(data: Mapping[str, Any], fields: tuple[str, ...], *, client_name: str) -> None:
    # An empty message is still a message; every other field must have a value.
    missing = [
        f"{client_name} inbound SMS failed: {field} missing"
        for field in fields
        if data.get(field) is None or (field.lower() != "message" and not str(data[field]).strip())
    ]
    if missing:
        raise InvalidRequest(missing, 400)


def _check_stored_lengths(data: Mapping[str, Any], limits: Mapping[str, int], *, client_name: str) -> None:
    """Refuse a number or reference its column cannot hold (too long, or with NUL, which PostgreSQL text refuses)."""
    unstorable = [
        f"{client_name} inbound SMS failed: {field} is not valid"
        for field, limit in limits.items()
        if len(str(data[field])) > limit or "\x00" in str(data[field])
    ]
    if unstorable:
        raise InvalidRequest(unstorable, 400)
