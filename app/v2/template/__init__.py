"""GET /v2/template/<id>[/version/<n>] and POST /v2/template/<id>/preview."""

from flask import Blueprint

from app.authentication.auth import requires_auth

v2_template = Blueprint("v2_template", __name__, url_prefix="/v2/template")
v2_template.before_request(requires_auth)
