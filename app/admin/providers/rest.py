"""Admin endpoints: see the providers and their history, change a priority or switch a provider off (with a reason)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError

from app.admin.request_body import load_admin_body
from app.authentication.auth import requires_admin_auth
from app.dao.provider_details_dao import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    dao_get_provider_details_by_id,
    dao_list_provider_details,
    dao_list_provider_details_versions,
    dao_update_provider_details,
)
from app.envelopes import Envelope, HeraldBlueprint
from app.models import ProviderDetails, ProviderDetailsHistory

admin_providers = HeraldBlueprint("admin_providers", __name__, url_prefix="/provider-details", envelope=Envelope.ADMIN)
admin_providers.before_request(requires_admin_auth)


class UpdateProviderSchema(Schema):
    priority = fields.Integer(strict=True, validate=validate.Range(min=PRIORITY_MIN, max=PRIORITY_MAX))
    active = fields.Boolean()
    reason = fields.String(required=True, validate=validate.Length(min=1))
    created_by = fields.String(allow_none=True)

    @validates_schema
    def check_something_changes(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "priority" not in data and "active" not in data:
            raise SchemaError("Give a priority or an active flag to change")


def serialise_provider(provider: ProviderDetails | ProviderDetailsHistory) -> dict[str, Any]:
    return {
        "id": str(provider.id),
        "identifier": provider.identifier,
        "display_name": provider.display_name,
        "notification_type": provider.notification_type,
        "priority": provider.priority,
        "active": provider.active,
        "supports_international": provider.supports_international,
        "version": provider.version,
        "updated_at": provider.updated_at.isoformat() if provider.updated_at else None,
        "created_by": provider.created_by,
        "reason": provider.reason,
    }


@admin_providers.route("", methods=["GET"])
def list_providers() -> Response:
    return jsonify(provider_details=[serialise_provider(provider) for provider in dao_list_provider_details()])


@admin_providers.route("/<uuid:provider_id>", methods=["GET"])
def get_provider(provider_id: str) -> Response:
    return jsonify(provider_details=serialise_provider(dao_get_provider_details_by_id(provider_id)))


@admin_providers.route("/<uuid:provider_id>/versions", methods=["GET"])
def list_provider_versions(provider_id: str) -> Response:
    dao_get_provider_details_by_id(provider_id)  # 404 for an unknown provider, not an empty list
    versions = dao_list_provider_details_versions(provider_id)
    return jsonify(data=[serialise_provider(version) for version in versions])


@admin_providers.route("/<uuid:provider_id>", methods=["POST"])
def update_provider(provider_id: str) -> Response:
    changes = load_admin_body(UpdateProviderSchema())
    provider = dao_update_provider_details(
        dao_get_provider_details_by_id(provider_id),
        reason=changes["reason"],
        updated_by=changes.get("created_by"),
        priority=changes.get("priority"),
        active=changes.get("active"),
    )
    return jsonify(provider_details=serialise_provider(provider))
