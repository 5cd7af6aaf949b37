"""The simulator's own endpoints under /_simulator: health, behaviour config, accepted messages, counters, and the
SNS signing certificate Herald fetches to verify receipts."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from app.simulator.behaviour import PROVIDERS, BehaviourError
from app.simulator.runtime import SIGNING_CERT_PATH, SNS_CERT_FILE_PREFIX, UNSUBSCRIBE_PATH, current_runtime

control = Blueprint("simulator_control", __name__, url_prefix="/_simulator")
# The certificate also where SNS messages point at it, at SNS's path (a real SNS certificate URL's shape).
sns_certificate = Blueprint("simulator_sns_certificate", __name__)


@control.errorhandler(BehaviourError)
def answer_bad_config(error: BehaviourError) -> tuple[Response, int]:
    return jsonify(error=str(error)), 400


@control.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@control.get("/config")
def show_config() -> Response:
    return jsonify(current_runtime().behaviours.as_dict())


@control.post("/config")
def change_config() -> Response:
    """Change behaviour at run time, e.g. ``{"mmg": {"outage": true}, "global": {"receipt_delay_ms": [0, 0]}}``."""
    behaviours = current_runtime().behaviours
    document = request.get_json(force=True, silent=True)
    if document is None:
        raise BehaviourError("the configuration must be a JSON object")
    behaviours.update(document)
    return jsonify(behaviours.as_dict())


@control.delete("/config")
def reset_config() -> Response:
    """Back to the behaviour given at start."""
    behaviours = current_runtime().behaviours
    behaviours.reset()
    return jsonify(behaviours.as_dict())


@control.get("/messages")
def list_messages() -> tuple[Response, int]:
    """Accepted messages, oldest first, filtered by ``provider``, ``reference`` (either one) and ``to``."""
    provider = request.args.get("provider")
    if provider is not None and provider not in PROVIDERS:
        return jsonify(error=f"provider must be one of {', '.join(PROVIDERS)}"), 400
    messages = current_runtime().messages.find(
        provider=provider, reference=request.args.get("reference"), to=request.args.get("to")
    )
    return jsonify(messages=[message.as_dict() for message in messages]), 200


@control.delete("/messages")
def clear_messages() -> tuple[str, int]:
    current_runtime().messages.clear()
    return "", 204


@control.get("/stats")
def show_stats() -> Response:
    return jsonify(current_runtime().statistics_document())


@control.delete("/stats")
def reset_stats() -> tuple[str, int]:
    """Zero the counters (receipts still in flight stay counted as pending)."""
    current_runtime().statistics.reset()
    return "", 204


@control.get(SIGNING_CERT_PATH.removeprefix("/_simulator"))
def signing_certificate() -> Response:
    return Response(current_runtime().certificate_pem, content_type="application/x-pem-file")


@sns_certificate.get(f"{SNS_CERT_FILE_PREFIX}<name>.pem")
def sns_signing_certificate(name: str) -> Response:
    runtime = current_runtime()
    if f"{SNS_CERT_FILE_PREFIX}{name}.pem" != runtime.sns_certificate_path:
        return Response("no such certificate", status=404, content_type="text/plain")
    return Response(runtime.certificate_pem, content_type="application/x-pem-file")


@control.get(UNSUBSCRIBE_PATH.removeprefix("/_simulator"))
def unsubscribe() -> Response:
    # Real SNS puts an UnsubscribeURL in every notification; the simulator has no subscriptions to end.
    return jsonify(result="the simulator has no subscriptions to end")
