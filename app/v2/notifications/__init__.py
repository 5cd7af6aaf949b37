"""POST and GET /v2/notifications."""

from app.authentication.auth import requires_auth
from app.envelopes import Envelope, HeraldBlueprint

v2_notifications = HeraldBlueprint(
    "v2_notifications", __name__, url_prefix="/v2/notifications", envelope=Envelope.PUBLIC
)
v2_notifications.before_request(requires_auth)
