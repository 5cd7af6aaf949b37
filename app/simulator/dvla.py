"""The DVLA-style print API as the simulator speaks it (letters.md §5.4, §5.5): POST
/dvla/thirdparty-access/v1/authenticate → {"id-token": <JWT>}; POST /dvla/print-request/v1/print/jobs with that JWT
and an X-API-Key → 202, 409 for a job id it already has; then one despatch confirmation to the job's callback target.

What happens to a letter is decided by its recipient, as for SMS and email: a recipient name of `Rejected Letter`
gets `REJECTED`, any other `DESPATCHED`. Outages and errors come from the `dvla` behaviour (/_simulator/config).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import jwt
from flask import Blueprint, Response, jsonify, request

from app.simulator.receipt_dispatcher import PlannedReceipt, ReceiptBody
from app.simulator.records import AcceptedMessage
from app.simulator.runtime import SimulatedProviderError, current_runtime, utc_timestamp

PROVIDER = "dvla"
REJECTED_RECIPIENT = "rejected letter"
TOKEN_LIFETIME_SECONDS = 3600
MAX_PRINT_JOB_BYTES = 20 * 1024 * 1024
# Which (postageClass, mailingProduct) the confirmation reports for each despatch method (Notify's fake despatch).
DESPATCH_PROPERTIES = {
    "FIRST": ("1ST", "UNCODED"),
    None: ("2ND", "MM"),
    "ECONOMY": ("2ND", "UNSORTEDE"),
    "INTERNATIONAL_EU": ("INTERNATIONAL", "INT EU"),
    "INTERNATIONAL_ROW": ("INTERNATIONAL", "INT ROW"),
}

dvla = Blueprint("simulator_dvla", __name__, url_prefix="/dvla")
# Tokens this simulator issued are signed with a key it makes up at start.
_TOKEN_KEY = secrets.token_bytes(32)
# Job ids it has printed (the latest MAX_REMEMBERED_JOBS), so a repeat is answered 409.
MAX_REMEMBERED_JOBS = 100_000
_printed_jobs: OrderedDict[str, None] = OrderedDict()
_printed_lock = threading.Lock()


@dvla.errorhandler(SimulatedProviderError)
def answer_simulated_failure(failure: SimulatedProviderError) -> tuple[Response, int]:
    request.get_data()
    current_runtime().record_request(PROVIDER, failure.outcome)
    return _error(failure.status_code, f"simulated {failure.outcome}")


def _error(status_code: int, detail: str) -> tuple[Response, int]:
    return jsonify(errors=[{"status": status_code, "title": "error", "detail": detail}]), status_code


@dvla.post("/thirdparty-access/v1/authenticate")
def authenticate() -> tuple[Response, int]:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict) or not body.get("userName") or not body.get("password"):
        return _error(401, "userName and password are required")
    claims = {"sub": str(body["userName"]), "exp": int(time.time()) + TOKEN_LIFETIME_SECONDS}
    return jsonify({"id-token": jwt.encode(claims, _TOKEN_KEY, algorithm="HS256")}), 200


@dvla.post("/print-request/v1/print/jobs")
def print_job() -> tuple[Response, int]:
    runtime = current_runtime()
    request.max_content_length = MAX_PRINT_JOB_BYTES
    behaviour = runtime.check_behaviour(PROVIDER)
    if not _is_authorised():
        runtime.record_request(PROVIDER, "unauthorised")
        return _error(401, "a valid token and X-API-Key are required")
    body = request.get_json(force=True, silent=True)
    problem = _job_problem(body, runtime.settings.herald_url)
    if problem is not None or not isinstance(body, dict):
        runtime.record_request(PROVIDER, "rejected")
        return _error(400, problem or "the body must be a JSON object")
    job_id = str(body["id"])
    with _printed_lock:
        is_duplicate = job_id in _printed_jobs
        _printed_jobs[job_id] = None
        if len(_printed_jobs) > MAX_REMEMBERED_JOBS:
            _printed_jobs.popitem(last=False)
    if is_duplicate:
        runtime.record_request(PROVIDER, "duplicate")
        return _error(409, "a job with this id already exists")
    standard = body["standardParams"]
    job_status = "REJECTED" if standard["recipientName"].strip().lower() == REJECTED_RECIPIENT else "DESPATCHED"
    runtime.accept(
        AcceptedMessage(
            provider=PROVIDER,
            reference=job_id,
            client_reference=str(standard["businessIdentifier"]),
            to=[str(standard["recipientName"])],
            sender=None,
            subject=None,
            content=None,
            outcome="delivered" if job_status == "DESPATCHED" else "technical-failure",
            received_at=utc_timestamp(),
        )
    )
    if not behaviour.no_receipt:
        sheets = _sheets(body)
        despatch_method = standard.get("despatchMethod")
        receipt = PlannedReceipt(
            url=body["callbackParams"]["target"],
            build=lambda: _confirmation(job_id, job_status, despatch_method, sheets),
            delay_seconds=runtime.receipt_delay_seconds(behaviour),
        )
        runtime.receipts.send(PROVIDER, [receipt])
    runtime.delay_answer(behaviour)
    return jsonify(id=job_id), 202


def _is_authorised() -> bool:
    if not request.headers.get("X-API-Key"):
        return False
    try:
        jwt.decode(request.headers.get("Authorization", ""), _TOKEN_KEY, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    return True


def _job_problem(body: Any, herald_url: str) -> str | None:
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    standard, callback = body.get("standardParams"), body.get("callbackParams")
    if not isinstance(standard, dict) or not isinstance(callback, dict) or not body.get("id"):
        return "id, standardParams and callbackParams are required"
    if not isinstance(standard.get("recipientName"), str) or not standard.get("businessIdentifier"):
        return "standardParams needs recipientName and businessIdentifier"
    if standard.get("despatchMethod") not in DESPATCH_PROPERTIES:
        return "unknown despatchMethod"
    target = callback.get("target")
    # The simulator only ever calls the Herald it serves.
    if not isinstance(target, str) or not target.startswith(herald_url.rstrip("/") + "/"):
        return "callbackParams.target must be a URL of Herald's"
    pdf = _custom_param(body, "pdfContent")
    try:
        if pdf is None or not base64.b64decode(pdf, validate=True).startswith(b"%PDF"):
            return "customParams pdfContent must be a base64 PDF"
    except (binascii.Error, ValueError):
        return "customParams pdfContent must be base64"
    return None


def _custom_param(body: dict[str, Any], key: str) -> str | None:
    for item in body.get("customParams") or []:
        if isinstance(item, dict) and item.get("key") == key and isinstance(item.get("value"), str):
            return str(item["value"])
    return None


def _sheets(body: dict[str, Any]) -> int:
    """Sheets counted as a printer would: pages in the PDF (a rough count of its page objects), two to a sheet."""
    pdf = base64.b64decode(_custom_param(body, "pdfContent") or "")
    pages = max(1, pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages"))
    return (pages + 1) // 2


def _confirmation(job_id: str, job_status: str, despatch_method: str | None, sheets: int) -> ReceiptBody:
    now = datetime.now(UTC)
    data: dict[str, Any] = {"jobId": job_id, "jobStatus": job_status, "transitionDate": f"{now:%Y-%m-%dT%H:%M:%SZ}"}
    if job_status == "DESPATCHED":
        postage_class, mailing_product = DESPATCH_PROPERTIES[despatch_method]
        data["despatchProperties"] = [
            {"key": "totalSheets", "value": str(sheets)},
            {"key": "postageClass", "value": postage_class},
            {"key": "mailingProduct", "value": mailing_product},
        ]
    event = {
        "specVersion": "1",
        "type": "uk.gov.dvla.osl.osldatadictionaryschemas.print.messages.v2.PrintJobStatus",
        "source": "herald-simulator",
        "id": str(uuid.uuid4()),
        "time": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z",
        "dataContentType": "application/json",
        "data": data,
        "metadata": {"correlationId": str(uuid.uuid4())},
    }
    return ReceiptBody(json.dumps(event).encode(), {"Content-Type": "application/json"})
