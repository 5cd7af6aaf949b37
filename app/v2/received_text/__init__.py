"""GET /v2/received-text-messages."""

from flask import Blueprint

from app.authentication.auth import requires_auth

v2_inbound_sms = Blueprint("v2_inbound_sms", __name__, url_prefix="/v2/received-text-messages")
v2_inbound_sms.before_request(requires_auth)
