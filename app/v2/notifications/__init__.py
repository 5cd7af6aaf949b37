"""POST and GET /v2/notifications."""

from flask import Blueprint

from app.authentication.auth import requires_auth

v2_notifications = Blueprint("v2_notifications", __name__, url_prefix="/v2/notifications")
v2_notifications.before_request(requires_auth)
