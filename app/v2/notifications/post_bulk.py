"""POST /v2/notifications/bulk: send one template to every row of a recipient file, as a job.

The request takes one rate-limit token before its body is read, as a single send does (GOV.UK Notify counts the
request); its rows count against the daily limits as a job (`app/jobs/create_job.py`).
"""

from __future__ import annotations

from flask import Response, current_app, g, jsonify

from app.clock import utc_now
from app.jobs.create_job import JobSender, create_job
from app.jobs.job_request import parse_job_request
from app.jobs.serialisation import serialise_job
from app.limits.admission import take_rate_limit_token
from app.redis_store import redis_client
from app.v2.notifications import v2_notifications
from app.v2.notifications.post_notification import json_request_body


@v2_notifications.route("/bulk", methods=["POST"])
def post_bulk_notifications() -> tuple[Response, int]:
    take_rate_limit_token(
        redis_client(),
        service=g.authenticated_service,
        key_type=g.api_user.key_type,
        interval_seconds=current_app.config["RATE_LIMIT_INTERVAL_SECONDS"],
    )
    job_request = parse_job_request(json_request_body(), now=utc_now())
    sender = JobSender(service=g.authenticated_service, key_type=g.api_user.key_type, api_key_id=g.api_user.id)
    job = create_job(job_request, sender)
    return jsonify(data=serialise_job(job)), 201
