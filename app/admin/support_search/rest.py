"""GET /service/<id>/notifications/search: the admin API's support search (admin client JWT; v2 error envelope).

Errors use the v2 envelope, as every 4xx of a search must be readable by the same client code whatever went wrong;
the admin auth hook's refusals are rendered in it too.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app, jsonify, request

from app.admin.support_search.search import SearchResult, SearchSettings, search_notifications
from app.admin.support_search.search_request import parse_support_search_request
from app.authentication.auth import requires_admin_auth
from app.dao.services_dao import dao_get_serialised_service
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest, v2_error_response
from app.v2.datetime_format import format_datetime

admin_support_search = HeraldBlueprint(
    "admin_support_search",
    __name__,
    url_prefix="/service/<uuid:service_id>/notifications/search",
    envelope=Envelope.PUBLIC,
)
admin_support_search.before_request(requires_admin_auth)


@admin_support_search.errorhandler(InvalidRequest)
def render_admin_auth_refusal(error: InvalidRequest) -> Response:
    """The admin auth hook raises `InvalidRequest({"token": [message]})`; answer it in the v2 envelope."""
    messages = error.payload.get("token", [error.message]) if isinstance(error.payload, dict) else [error.message]
    return v2_error_response(error.status_code, "AuthError", [str(message) for message in messages])


@admin_support_search.route("", methods=["GET"])
def get_support_search(service_id: uuid.UUID) -> Response:
    search_request = parse_support_search_request(request.args)
    service = dao_get_serialised_service(service_id)
    config = current_app.config
    settings = SearchSettings(
        recipient_search_key=config["RECIPIENT_SEARCH_KEY"],
        history_days=config["SUPPORT_SEARCH_HISTORY_DAYS"],
        page_size=config["SUPPORT_SEARCH_PAGE_SIZE"],
        admin_client_id=config["ADMIN_CLIENT_ID"],
    )
    results = search_notifications(service.id, search_request, settings)
    return jsonify(notifications=[_serialised(result) for result in results], page_size=settings.page_size)


def _serialised(result: SearchResult) -> dict[str, Any]:
    notification = result.notification
    return {
        "id": str(notification.id),
        "type": notification.notification_type,
        "status": notification.status,
        "created_at": format_datetime(notification.created_at),
        "sent_at": format_datetime(notification.sent_at),
        "sent_by": notification.sent_by,
        "updated_at": format_datetime(notification.updated_at),
        "template": {"id": str(notification.template_id), "version": notification.template_version},
        "reference": notification.client_reference,
        "job": None
        if notification.job_id is None
        else {"id": str(notification.job_id), "row_number": notification.job_row_number},
        "stored_in": notification.stored_in,
        "timeline": [{"status": event.status, "at": format_datetime(event.changed_at)} for event in result.timeline],
    }
