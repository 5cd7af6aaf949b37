"""SES v2 `SendEmail` as boto3's `sesv2` client calls it with endpoint_url=<simulator>/ses: POST
/ses/v2/email/outbound-emails (rest-json) → {"MessageId": ...}; then one SNS notification per outcome (Delivery or
Bounce) to Herald's SES receipt URL, signed with the simulator's certificate. Its events repeat the message's
headers, the custom ones included (`mail.headers`), as SES does when the event destination includes original
headers."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request

from app.simulator.behaviour import Behaviour
from app.simulator.receipt_dispatcher import PlannedReceipt, ReceiptBody
from app.simulator.receipt_payloads import SentEmail, SnsTopic, ses_event, sns_notification
from app.simulator.recipients import Outcome, email_outcome
from app.simulator.records import AcceptedMessage
from app.simulator.runtime import SimulatedProviderError, SimulatorRuntime, current_runtime, utc_timestamp

PROVIDER = "ses"
DESTINATION_FIELDS = ("ToAddresses", "CcAddresses", "BccAddresses")
ERROR_TYPE_BY_STATUS = {500: "InternalFailure", 503: "ServiceUnavailable"}
_ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_ANGLE_ADDRESS = re.compile(r"<([^<>]*)>\s*$")
# SES v2's MessageHeader: a name of printable ASCII but the colon, at most 126 characters; a value of printable
# ASCII and spaces (so no line break), at most 870; at most 15 headers.
_HEADER_NAME = re.compile(r"[!-9;-~]{1,126}")
_HEADER_VALUE = re.compile(r"[ -~]{1,870}")
MAX_HEADERS = 15

ses = Blueprint("simulator_ses", __name__, url_prefix="/ses")


class SesBadRequestError(Exception):
    """The request SES would refuse with BadRequestException; the message is SES's wording."""


@ses.errorhandler(SimulatedProviderError)
def answer_simulated_failure(failure: SimulatedProviderError) -> tuple[Response, int]:
    request.get_data()  # read the body, so the connection is left clean
    current_runtime().record_request(PROVIDER, failure.outcome)
    return _error(failure.status_code, ERROR_TYPE_BY_STATUS.get(failure.status_code, "InternalFailure"), "simulated")


@ses.errorhandler(SesBadRequestError)
def answer_bad_request(error: SesBadRequestError) -> tuple[Response, int]:
    current_runtime().record_request(PROVIDER, "rejected")
    return _error(400, "BadRequestException", str(error))


def _error(status_code: int, error_type: str, message: str) -> tuple[Response, int]:
    # rest-json errors: botocore takes the code from x-amzn-ErrorType and the message from the body.
    response = jsonify(message=message)
    response.headers["x-amzn-ErrorType"] = error_type
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response, status_code


@ses.post("/v2/email/outbound-emails")
def send_ses_email() -> tuple[Response, int]:
    runtime = current_runtime()
    behaviour = runtime.check_behaviour(PROVIDER)
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise SesBadRequestError("Request body must be a JSON object")
    source = _source(body)
    recipients = _recipients(body.get("Destination"))
    subject, text = _simple_content(body.get("Content"))
    email = SentEmail(
        message_id=_new_message_id(),
        source=source,
        destination=recipients,
        subject=subject,
        sent_at=datetime.now(UTC),
        headers=_custom_headers(body.get("Content")),
    )
    runtime.accept(
        AcceptedMessage(
            provider=PROVIDER,
            reference=email.message_id,
            client_reference=None,
            to=list(recipients),
            sender=source,
            subject=subject,
            content=text,
            outcome=email_outcome(_address(recipients[0])),
            received_at=utc_timestamp(),
        )
    )
    if not behaviour.no_receipt:
        _send_receipts(runtime, behaviour, email)
    runtime.delay_answer(behaviour)
    response = jsonify(MessageId=email.message_id)
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return response, 200


def _source(body: Mapping[str, Any]) -> str:
    source = body.get("FromEmailAddress")
    if not isinstance(source, str) or not source:
        raise SesBadRequestError("Missing required field FromEmailAddress")
    _check_address(source)
    return source


def _recipients(destination: Any) -> list[str]:
    if not isinstance(destination, dict):
        raise SesBadRequestError("Missing required field Destination")
    recipients: list[str] = []
    for field in DESTINATION_FIELDS:
        addresses = destination.get(field) or []
        if not isinstance(addresses, list) or not all(isinstance(address, str) for address in addresses):
            raise SesBadRequestError(f"Destination.{field} must be a list of addresses")
        recipients.extend(addresses)
    if not recipients:
        raise SesBadRequestError("Destination must hold at least one address")
    for recipient in recipients:
        _check_address(recipient)
    return recipients


def _address(mailbox: str) -> str:
    """The address part of ``"Name" <address>``, or the whole string when it has no angle brackets."""
    match = _ANGLE_ADDRESS.search(mailbox)
    return (match.group(1) if match else mailbox).strip()


def _check_address(mailbox: str) -> None:
    address = _address(mailbox)
    if "@" not in address:
        raise SesBadRequestError("Missing final '@domain'")
    if not _ADDRESS.match(address):
        raise SesBadRequestError("Illegal address")


def _simple_content(content: Any) -> tuple[str | None, str | None]:
    """(subject, plain text) of a Simple message; (None, None) for Raw and Template content."""
    if not isinstance(content, dict) or not any(kind in content for kind in ("Simple", "Raw", "Template")):
        raise SesBadRequestError("Missing required field Content")
    simple = content.get("Simple")
    if not isinstance(simple, dict):
        return None, None
    subject = (simple.get("Subject") or {}).get("Data")
    text = ((simple.get("Body") or {}).get("Text") or {}).get("Data")
    return subject, text


def _custom_headers(content: Any) -> list[tuple[str, str]]:
    """The (name, value) of each header a Simple message asks for, in order; SES refuses malformed ones."""
    simple = content.get("Simple") if isinstance(content, dict) else None
    headers = (simple.get("Headers") if isinstance(simple, dict) else None) or []
    if not isinstance(headers, list) or len(headers) > MAX_HEADERS:
        raise SesBadRequestError(f"Content.Simple.Headers must be a list of at most {MAX_HEADERS} headers")
    checked: list[tuple[str, str]] = []
    for header in headers:
        name = header.get("Name") if isinstance(header, dict) else None
        value = header.get("Value") if isinstance(header, dict) else None
        if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
            raise SesBadRequestError("Invalid header name")
        if not isinstance(value, str) or not _HEADER_VALUE.fullmatch(value):
            raise SesBadRequestError(f"Invalid value for header {name}")
        checked.append((name, value))
    return checked


def _new_message_id() -> str:
    # Shaped like SES's own: "0102", 12 hex digits of epoch milliseconds, a UUID and a sequence suffix.
    return f"0102{int(time.time() * 1000):012x}-{uuid.uuid4()}-000000"


def _send_receipts(runtime: SimulatorRuntime, behaviour: Behaviour, email: SentEmail) -> None:
    """One SNS notification per outcome among the recipients, as SES publishes one event per kind."""
    recipients_by_outcome: dict[Outcome, list[str]] = {}
    for recipient in email.destination:
        recipients_by_outcome.setdefault(email_outcome(_address(recipient)), []).append(_address(recipient))
    url = runtime.settings.receipt_url(PROVIDER)
    topic = runtime.sns_topic()
    for outcome, recipients in recipients_by_outcome.items():
        receipt = PlannedReceipt(
            url=url,
            build=_notification_builder(topic, email, outcome, recipients),
            delay_seconds=runtime.receipt_delay_seconds(behaviour),
        )
        runtime.receipts.send(PROVIDER, [receipt])


def _notification_builder(
    topic: SnsTopic, email: SentEmail, outcome: Outcome, recipients: Sequence[str]
) -> Callable[[], ReceiptBody]:
    return lambda: sns_notification(topic, ses_event(email, outcome, recipients))
