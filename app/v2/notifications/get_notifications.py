"""GET /v2/notifications/<id> and GET /v2/notifications: one notification, or a filtered page of them.

A key sees only notifications sent with keys of its own type, so test and live data never mix in lists. Pages
are newest first, API_PAGE_SIZE long, and every non-empty page links to the next one with
`older_than=<last id on the page>` placed first in the query string: the Python client takes the first UUID it
finds in that link as the cursor, so no filter value (a reference may well be a UUID) can come before it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, g, jsonify, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed

from app.dao.notifications_dao import (
    dao_get_notification_by_id_for_service,
    dao_list_notifications_with_template_for_service,
)
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.notification_status import FAILED_FILTER_EXPANSION, LETTER_FILTER_EXPANSIONS
from app.v2.notifications import v2_notifications
from app.v2.notifications.schemas import MAX_REFERENCE_LENGTH
from app.v2.notifications.serialise_notification import serialise_notification
from app.v2.request_validation import UUID_SCHEMA, validate_request, validate_uuid

logger = logging.getLogger(__name__)

STATUS_FILTER_VALUES = (
    "cancelled",
    "created",
    "sending",
    "sent",
    "delivered",
    "pending",
    "failed",
    "technical-failure",
    "temporary-failure",
    "permanent-failure",
    "pending-virus-check",
    "validation-failed",
    "virus-scan-failed",
    "returned-letter",
    "accepted",
    "received",
)
TEMPLATE_TYPE_FILTER_VALUES = ("sms", "email", "letter")
REPEATABLE_PARAMETERS = ("status", "template_type")
SINGLE_PARAMETERS = ("reference", "older_than", "include_jobs")

LIST_NOTIFICATIONS_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "array", "items": {"enum": list(STATUS_FILTER_VALUES)}},
        "template_type": {"type": "array", "items": {"enum": list(TEMPLATE_TYPE_FILTER_VALUES)}},
        # No notification has a longer reference, so a longer one is a mistake (and is not echoed back).
        "reference": {
            "type": "string",
            "maxLength": MAX_REFERENCE_LENGTH,
            "validationMessage": f"is longer than {MAX_REFERENCE_LENGTH} characters",
        },
        "older_than": UUID_SCHEMA,
        "include_jobs": {"enum": ["true", "True"]},
    },
    "additionalProperties": False,
}


def parse_list_filters(arguments: MultiDict[str, str]) -> dict[str, Any]:
    """Validate the query string: `status` and `template_type` may repeat, the others count once (the first)."""
    filters: dict[str, Any] = {}
    for name in arguments:
        values = arguments.getlist(name)
        filters[name] = values if name in REPEATABLE_PARAMETERS else values[0]
    validate_request(filters, LIST_NOTIFICATIONS_REQUEST)
    return filters


def statuses_to_match(requested: Sequence[str]) -> list[str]:
    """The stored statuses a `status` filter matches: `failed` stands for every failure status, and the letter
    names `accepted` and `received` for the statuses shown as them."""
    statuses: list[str] = []
    for status in requested:
        if status == "failed":
            statuses.extend(FAILED_FILTER_EXPANSION)
        else:
            statuses.extend(LETTER_FILTER_EXPANSIONS.get(status, (status,)))
    return list(dict.fromkeys(statuses))


def filter_pairs(filters: dict[str, Any], *, without_cursor: bool = False) -> list[tuple[str, str]]:
    """The filters as query-string pairs, in the order the Python client sends them."""
    pairs: list[tuple[str, str]] = []
    for name in (*REPEATABLE_PARAMETERS, *SINGLE_PARAMETERS):
        if name == "older_than" and without_cursor or name not in filters:
            continue
        values = filters[name] if name in REPEATABLE_PARAMETERS else [filters[name]]
        pairs.extend((name, value) for value in values)
    return pairs


def page_links(path: str, filters: dict[str, Any], last_id: str | None) -> dict[str, str]:
    """`current` repeats the request's filters; `next` (only after a non-empty page) starts with the cursor."""
    base_url = request.host_url.rstrip("/") + path
    current_query = urlencode(filter_pairs(filters))
    links = {"current": f"{base_url}?{current_query}" if current_query else base_url}
    if last_id is not None:
        links["next"] = (
            f"{base_url}?{urlencode([('older_than', last_id), *filter_pairs(filters, without_cursor=True)])}"
        )
    return links


# POST-only siblings of `/<notification_id>`: Werkzeug would route `GET /v2/notifications/sms` here as an id.
SEND_ROUTE_NAMES = ("sms", "email", "letter", "bulk")


@v2_notifications.route("/<notification_id>", methods=["GET"])
def get_notification_by_id(notification_id: str) -> Response:
    if notification_id in SEND_ROUTE_NAMES:
        raise MethodNotAllowed(valid_methods=["POST"])
    validate_uuid(notification_id, "notification_id")
    notification = dao_get_notification_by_id_for_service(g.service_id, notification_id)
    if notification.key_type != g.api_user.key_type:
        logger.info(
            "Notification %s was sent with a %s key and read with a %s key",
            notification.id,
            notification.key_type,
            g.api_user.key_type,
            extra={"notification_id": str(notification.id), "service_id": str(g.service_id)},
        )
    template = dao_get_template_history_by_id_and_version(notification.template_id, notification.template_version)
    return jsonify(
        serialise_notification(
            notification,
            template,
            url_root=request.host_url,
            sms_rate_pounds=current_app.config["SMS_RATE_POUNDS"],
            letter_rates_pounds=current_app.config["LETTER_RATES_POUNDS"],
        )
    )


def can_match_anything(filters: dict[str, Any]) -> bool:
    """PostgreSQL text cannot hold NUL, so no stored reference has one (and the query would be refused)."""
    return "\x00" not in filters.get("reference", "")


@v2_notifications.route("", methods=["GET"])
def get_notifications() -> Response:
    filters = parse_list_filters(request.args)
    if not can_match_anything(filters):
        return jsonify(notifications=[], links=page_links(request.path, filters, None))
    rows = dao_list_notifications_with_template_for_service(
        g.service_id,
        key_type=g.api_user.key_type,
        limit=current_app.config["API_PAGE_SIZE"],
        statuses=statuses_to_match(filters.get("status", [])),
        notification_types=filters.get("template_type", []),
        client_reference=filters.get("reference"),
        older_than_id=filters.get("older_than"),
        include_jobs="include_jobs" in filters,
    )
    sms_rate_pounds = current_app.config["SMS_RATE_POUNDS"]
    notifications = [
        serialise_notification(
            notification,
            template,
            url_root=request.host_url,
            sms_rate_pounds=sms_rate_pounds,
            letter_rates_pounds=current_app.config["LETTER_RATES_POUNDS"],
        )
        for notification, template in rows
    ]
    last_id = notifications[-1]["id"] if notifications else None
    return jsonify(notifications=notifications, links=page_links(request.path, filters, last_id))
