"""GET /openapi.json: Herald's OpenAPI document for its public API, open to everyone."""

from flask import Blueprint

from app.authentication.auth import requires_no_auth

v2_openapi = Blueprint("v2_openapi", __name__)
v2_openapi.before_request(requires_no_auth)
