"""GET /v2/templates."""

from flask import Blueprint

from app.authentication.auth import requires_auth

v2_templates = Blueprint("v2_templates", __name__, url_prefix="/v2/templates")
v2_templates.before_request(requires_auth)
