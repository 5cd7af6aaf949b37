"""GET /v2/templates."""

from app.authentication.auth import requires_auth
from app.envelopes import Envelope, HeraldBlueprint

v2_templates = HeraldBlueprint("v2_templates", __name__, url_prefix="/v2/templates", envelope=Envelope.PUBLIC)
v2_templates.before_request(requires_auth)
