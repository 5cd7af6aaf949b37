"""Firetext's send API as the simulator speaks it: form POST /firetext → {"code": 0, ...}; then one receipt form,
or two for a temporary failure (pending, then declined), to the request's `receipt` URL or Herald's."""

from __future__ import annotations

import hmac
from functools import partial

from flask import Blueprint, Response, jsonify, request

from app.simulator.behaviour import Behaviour
from app.simulator.receipt_dispatcher import PlannedReceipt
from app.simulator.receipt_payloads import firetext_receipt, firetext_receipt_steps
from app.simulator.recipients import Outcome, sms_outcome
from app.simulator.records import AcceptedMessage
from app.simulator.runtime import SimulatedProviderError, SimulatorRuntime, current_runtime, utc_timestamp

PROVIDER = "firetext"
# Firetext answers 200 with a non-zero `code` when it refuses a message.
AUTHENTICATION_ERROR = (1, "Authentication error")
DESTINATION_ERROR = (2, "Destination error")
FROM_ERROR = (3, "From error")
MESSAGE_ERROR = (5, "Message error")

firetext = Blueprint("simulator_firetext", __name__)


@firetext.errorhandler(SimulatedProviderError)
def answer_simulated_failure(failure: SimulatedProviderError) -> tuple[Response, int]:
    request.get_data()  # read the body, so the connection is left clean
    current_runtime().record_request(PROVIDER, failure.outcome)
    return _answer(failure.status_code, failure.status_code, f"simulated {failure.outcome}")


def _answer(status_code: int, code: int, description: str, *, is_queued: bool = False) -> tuple[Response, int]:
    return jsonify(code=code, description=description, data=[], responseData=1 if is_queued else 0), status_code


@firetext.post("/firetext")
def send_firetext_sms() -> tuple[Response, int]:
    runtime = current_runtime()
    behaviour = runtime.check_behaviour(PROVIDER)
    form = request.form
    refusal = _refusal(runtime.settings.firetext_api_key)
    if refusal:
        runtime.record_request(PROVIDER, "rejected")
        return _answer(200, *refusal)
    mobile, reference = form["to"], form.get("reference", "")
    outcome = sms_outcome(mobile)
    runtime.accept(
        AcceptedMessage(
            provider=PROVIDER,
            reference=reference,
            client_reference=reference or None,
            to=[mobile],
            sender=form["from"],
            subject=None,
            content=form["message"],
            outcome=outcome,
            received_at=utc_timestamp(),
        )
    )
    if not behaviour.no_receipt:
        url = form.get("receipt") or runtime.settings.receipt_url(PROVIDER)
        _send_receipts(runtime, behaviour, url=url, reference=reference, mobile=mobile, outcome=outcome)
    runtime.delay_answer(behaviour)
    return _answer(200, 0, "SMS successfully queued", is_queued=True)


def _refusal(required_key: str | None) -> tuple[int, str] | None:
    form = request.form
    api_key = form.get("apiKey", "")
    if not api_key or (required_key is not None and not hmac.compare_digest(api_key.encode(), required_key.encode())):
        return AUTHENTICATION_ERROR
    if not form.get("to", "").isdigit():
        return DESTINATION_ERROR
    if not form.get("from"):
        return FROM_ERROR
    if not form.get("message"):
        return MESSAGE_ERROR
    return None


def _send_receipts(
    runtime: SimulatorRuntime, behaviour: Behaviour, *, url: str, reference: str, mobile: str, outcome: Outcome
) -> None:
    receipts = [
        PlannedReceipt(
            url=url,
            build=partial(firetext_receipt, reference=reference, mobile=mobile, status=status, code=code),
            delay_seconds=runtime.receipt_delay_seconds(behaviour),
        )
        for status, code in firetext_receipt_steps(outcome)
    ]
    runtime.receipts.send(PROVIDER, receipts)
