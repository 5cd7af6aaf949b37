"""GET /v2/received-text-messages."""

from app.authentication.auth import requires_auth
from app.envelopes import Envelope, HeraldBlueprint

v2_inbound_sms = HeraldBlueprint(
    "v2_inbound_sms", __name__, url_prefix="/v2/received-text-messages", envelope=Envelope.PUBLIC
)
v2_inbound_sms.before_request(requires_auth)
