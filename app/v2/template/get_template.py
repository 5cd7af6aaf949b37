"""GET /v2/template/<id> (the latest version) and GET /v2/template/<id>/version/<n>."""

from __future__ import annotations

from flask import Response, g, jsonify

from app.dao.templates_dao import dao_get_template_by_id, dao_get_template_version
from app.errors import NotFoundError
from app.v2.request_validation import validate_request
from app.v2.template import v2_template
from app.v2.template.schemas import GET_TEMPLATE_REQUEST
from app.v2.template.serialise_template import serialise_template

LARGEST_STORED_VERSION = 2**31 - 1  # template versions are a PostgreSQL integer


@v2_template.route("/<template_id>", methods=["GET"])
def get_template_by_id(template_id: str) -> Response:
    validate_request({"id": template_id}, GET_TEMPLATE_REQUEST)
    return jsonify(serialise_template(dao_get_template_by_id(g.service_id, template_id)))


@v2_template.route("/<template_id>/version/<int:version>", methods=["GET"])
def get_template_version(template_id: str, version: int) -> Response:
    validate_request({"id": template_id, "version": version}, GET_TEMPLATE_REQUEST)
    if version > LARGEST_STORED_VERSION:
        raise NotFoundError()
    return jsonify(serialise_template(dao_get_template_version(g.service_id, template_id, version)))
