"""Admin endpoints: create (the full key string is shown once), list and revoke API keys."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields, validate

from app.admin.request_body import load_admin_body
from app.authentication.auth import requires_admin_auth
from app.dao.api_key_dao import dao_create_api_key, dao_list_api_keys, dao_revoke_api_key
from app.dao.services_dao import dao_get_service_by_id
from app.envelopes import Envelope, HeraldBlueprint
from app.models import ApiKey, KeyType

admin_api_keys = HeraldBlueprint(
    "admin_api_keys", __name__, url_prefix="/service/<uuid:service_id>", envelope=Envelope.ADMIN
)
admin_api_keys.before_request(requires_admin_auth)


class CreateApiKeySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    key_type = fields.String(required=True, validate=validate.OneOf([key_type.value for key_type in KeyType]))
    created_by = fields.String(allow_none=True)


def full_key_string(api_key: ApiKey) -> str:
    """The key as handed to a user: `<name>-<service id>-<secret>` (clients slice the last 73 characters)."""
    name = re.sub(r"[^a-z0-9]+", "_", api_key.name.lower()).strip("_") or "key"
    return f"{name}-{api_key.service_id}-{api_key.secret}"


def serialise_api_key(api_key: ApiKey) -> dict[str, Any]:
    return {
        "id": str(api_key.id),
        "name": api_key.name,
        "key_type": api_key.key_type,
        "expiry_date": api_key.expiry_date.isoformat() if api_key.expiry_date else None,
        "created_at": api_key.created_at.isoformat(),
        "version": api_key.version,
    }


@admin_api_keys.route("/api-key", methods=["POST"])
def post_api_key(service_id: str) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    api_key = dao_create_api_key(service.id, **load_admin_body(CreateApiKeySchema()))
    return jsonify(data={**serialise_api_key(api_key), "key": full_key_string(api_key)}), 201


@admin_api_keys.route("/api-keys", methods=["GET"])
def list_api_keys(service_id: str) -> Response:
    service = dao_get_service_by_id(service_id)
    return jsonify(apiKeys=[serialise_api_key(api_key) for api_key in dao_list_api_keys(service.id)])


@admin_api_keys.route("/api-key/revoke/<uuid:api_key_id>", methods=["POST"])
def revoke_api_key(service_id: str, api_key_id: str) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    api_key = dao_revoke_api_key(service.id, api_key_id)
    return jsonify(data=serialise_api_key(api_key)), 202
