"""Serve the OpenAPI document, with this Herald's own address as its server."""

from __future__ import annotations

from flask import Response, jsonify, request

from app.v2.openapi import v2_openapi
from app.v2.openapi.document import openapi_document


@v2_openapi.route("/openapi.json", methods=["GET"])
def get_openapi_document() -> Response:
    return jsonify(openapi_document(request.host_url))
