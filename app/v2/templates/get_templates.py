"""GET /v2/templates[?type=sms|email|letter]: the latest version of every template of the service."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from app.dao.templates_dao import dao_list_templates
from app.v2.request_validation import validate_request
from app.v2.template.serialise_template import serialise_template
from app.v2.templates import v2_templates

GET_ALL_TEMPLATES_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {"type": {"enum": ["sms", "email", "letter"]}},
    "additionalProperties": False,
}


@v2_templates.route("", methods=["GET"])
def get_templates() -> Response:
    arguments = validate_request(request.args.to_dict(), GET_ALL_TEMPLATES_REQUEST)
    templates = dao_list_templates(g.service_id, arguments.get("type"))
    return jsonify(templates=[serialise_template(template) for template in templates])
