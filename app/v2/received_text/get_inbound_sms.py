"""GET /v2/received-text-messages[?older_than=<id>]: a page of the text messages people sent the service.

Newest first, API_PAGE_SIZE a page, only messages inside the service's retention period. Every non-empty page
links to the next with `older_than=<last id on the page>`; the Python client's iterator reads the cursor from
that link, and stops at the first empty page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, g, jsonify, request

from app.clock import utc_now
from app.dao.inbound_sms_dao import dao_list_inbound_sms_for_service
from app.dao.services_dao import dao_get_service_by_id
from app.models import InboundSms
from app.retention.delete_expired import retention_cutoff
from app.v2.datetime_format import format_datetime
from app.v2.received_text import v2_inbound_sms
from app.v2.request_validation import UUID_SCHEMA, validate_request

GET_INBOUND_SMS_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {"older_than": UUID_SCHEMA},
    "additionalProperties": False,
}


def serialise_inbound_sms(inbound_sms: InboundSms) -> dict[str, Any]:
    return {
        "id": str(inbound_sms.id),
        "created_at": format_datetime(inbound_sms.created_at),
        "service_id": str(inbound_sms.service_id),
        "notify_number": inbound_sms.notify_number,
        "user_number": inbound_sms.user_number,
        "content": inbound_sms.content,
    }


def page_links(older_than: str | None, last_id: str | None) -> dict[str, str]:
    base_url = request.host_url.rstrip("/") + request.path
    links = {"current": f"{base_url}?{urlencode({'older_than': older_than})}" if older_than else base_url}
    if last_id is not None:
        links["next"] = f"{base_url}?{urlencode({'older_than': last_id})}"
    return links


@v2_inbound_sms.route("", methods=["GET"])
def get_inbound_sms() -> Response:
    arguments = validate_request(request.args.to_dict(), GET_INBOUND_SMS_REQUEST)
    retention_days = dao_get_service_by_id(g.service_id).data_retention_days
    messages = dao_list_inbound_sms_for_service(
        g.service_id,
        limit=current_app.config["API_PAGE_SIZE"],
        created_since=retention_cutoff(utc_now(), retention_days),
        older_than_id=arguments.get("older_than"),
    )
    received_text_messages = [serialise_inbound_sms(message) for message in messages]
    last_id = received_text_messages[-1]["id"] if received_text_messages else None
    return jsonify(
        received_text_messages=received_text_messages, links=page_links(arguments.get("older_than"), last_id)
    )
