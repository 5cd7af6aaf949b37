"""GET /openapi.json: Herald's OpenAPI document for its public API, open to everyone."""

from app.authentication.auth import requires_no_auth
from app.envelopes import Envelope, HeraldBlueprint

v2_openapi = HeraldBlueprint("v2_openapi", __name__, envelope=Envelope.PUBLIC)
v2_openapi.before_request(requires_no_auth)
