"""GET /v2/template/<id>[/version/<n>] and POST /v2/template/<id>/preview."""

from app.authentication.auth import requires_auth
from app.envelopes import Envelope, HeraldBlueprint

v2_template = HeraldBlueprint("v2_template", __name__, url_prefix="/v2/template", envelope=Envelope.PUBLIC)
v2_template.before_request(requires_auth)
