"""Admin endpoints for jobs: create one from a recipient file, read it with its notifications counted by status,
cancel it before it starts. Sends as a live key of the service would (trial services: guest list only)."""

from __future__ import annotations

import uuid

from flask import Response, jsonify

from app.authentication.auth import requires_admin_auth
from app.clock import utc_now
from app.dao.jobs_dao import dao_get_job_by_id_for_service
from app.dao.services_dao import dao_get_serialised_service
from app.dao.statistics_dao import dao_list_job_statistics
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest
from app.jobs.cancel_job import cancel_job
from app.jobs.create_job import JobSender, create_job
from app.jobs.job_request import parse_job_request
from app.jobs.serialisation import serialise_job
from app.request_json import InvalidJsonError, parsed_json_body

admin_jobs = HeraldBlueprint(
    "admin_jobs", __name__, url_prefix="/service/<uuid:service_id>/job", envelope=Envelope.ADMIN
)
admin_jobs.before_request(requires_admin_auth)


@admin_jobs.route("", methods=["POST"])
def post_job(service_id: uuid.UUID) -> tuple[Response, int]:
    service = dao_get_serialised_service(service_id)
    try:
        body = parsed_json_body()
    except InvalidJsonError as error:
        raise InvalidRequest("Invalid JSON supplied in POST data", 400) from error
    if not isinstance(body, dict):
        raise InvalidRequest("Invalid JSON supplied in POST data", 400)
    job_request = parse_job_request(body, now=utc_now(), extra_fields=("created_by",))
    created_by = body.get("created_by")
    job = create_job(job_request, JobSender(service=service, created_by=str(created_by) if created_by else None))
    return jsonify(data=serialise_job(job)), 201


@admin_jobs.route("/<uuid:job_id>", methods=["GET"])
def get_job(service_id: uuid.UUID, job_id: uuid.UUID) -> Response:
    job = dao_get_job_by_id_for_service(service_id, job_id)
    return jsonify(data=serialise_job(job, dao_list_job_statistics(job.id)))


@admin_jobs.route("/<uuid:job_id>/cancel", methods=["POST"])
def post_cancel_job(service_id: uuid.UUID, job_id: uuid.UUID) -> Response:
    return jsonify(data=serialise_job(cancel_job(service_id, job_id)))
