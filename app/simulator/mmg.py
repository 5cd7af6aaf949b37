"""MMG's send API as the simulator speaks it: JSON POST /mmg with `Authorization: Basic <key>` → {"Reference": n};
then one JSON receipt to the request's `delurl` or Herald's MMG receipt URL."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, jsonify, request

from app.simulator.receipt_dispatcher import PlannedReceipt
from app.simulator.receipt_payloads import mmg_receipt
from app.simulator.recipients import sms_outcome
from app.simulator.records import AcceptedMessage
from app.simulator.runtime import SimulatedProviderError, current_runtime, utc_timestamp

PROVIDER = "mmg"
REQUIRED_FIELDS = ("MSISDN", "msg", "cid")

mmg = Blueprint("simulator_mmg", __name__)


@mmg.errorhandler(SimulatedProviderError)
def answer_simulated_failure(failure: SimulatedProviderError) -> tuple[Response, int]:
    request.get_data()  # read the body, so the connection is left clean
    current_runtime().record_request(PROVIDER, failure.outcome)
    return _error(failure.status_code, f"simulated {failure.outcome}")


def _error(status_code: int, description: str) -> tuple[Response, int]:
    return jsonify(Error=status_code, Description=description), status_code


@mmg.post("/mmg")
def send_mmg_sms() -> tuple[Response, int]:
    runtime = current_runtime()
    behaviour = runtime.check_behaviour(PROVIDER)
    problem = _authorization_problem(runtime.settings.mmg_api_key)
    if problem:
        runtime.record_request(PROVIDER, "unauthorised")
        return _error(401, problem)
    body = request.get_json(force=True, silent=True)
    problem = _body_problem(body)
    if problem is not None or not isinstance(body, dict):
        runtime.record_request(PROVIDER, "rejected")
        return _error(400, problem or "the body must be a JSON object")
    reference = str(runtime.next_mmg_reference())
    msisdn, cid = str(body["MSISDN"]), str(body["cid"])
    outcome = sms_outcome(msisdn)
    runtime.accept(
        AcceptedMessage(
            provider=PROVIDER,
            reference=reference,
            client_reference=cid,
            to=[msisdn],
            sender=body.get("sender"),
            subject=None,
            content=str(body["msg"]),
            outcome=outcome,
            received_at=utc_timestamp(),
        )
    )
    if not behaviour.no_receipt:
        receipt = PlannedReceipt(
            url=body.get("delurl") or runtime.settings.receipt_url(PROVIDER),
            build=lambda: mmg_receipt(mmg_reference=reference, cid=cid, msisdn=msisdn, outcome=outcome),
            delay_seconds=runtime.receipt_delay_seconds(behaviour),
        )
        runtime.receipts.send(PROVIDER, [receipt])
    runtime.delay_answer(behaviour)
    return jsonify(Reference=int(reference)), 200


def _authorization_problem(required_key: str | None) -> str | None:
    given = request.headers.get("Authorization", "")
    if not given.startswith("Basic ") or not given.removeprefix("Basic ").strip():
        return "Authorization: Basic <key> is required"
    if required_key is not None and not hmac.compare_digest(given.encode(), f"Basic {required_key}".encode()):
        return "invalid API key"
    return None


def _body_problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    missing = [name for name in REQUIRED_FIELDS if body.get(name) in (None, "")]
    if missing:
        return f"missing {', '.join(missing)}"
    if not str(body["MSISDN"]).isdigit():
        return "MSISDN must be digits only"
    return None
