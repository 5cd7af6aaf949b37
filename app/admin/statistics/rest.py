"""GET /service/<id>/statistics?days=7: the service's notifications per UTC day, type and status (test keys aside),
from the working set and its history alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from flask import Response, jsonify, request

from app.authentication.auth import requires_admin_auth
from app.clock import utc_now
from app.dao.services_dao import dao_get_service_by_id
from app.dao.statistics_dao import dao_list_service_daily_statistics
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest

admin_statistics = HeraldBlueprint(
    "admin_statistics", __name__, url_prefix="/service/<uuid:service_id>/statistics", envelope=Envelope.ADMIN
)
admin_statistics.before_request(requires_admin_auth)

DEFAULT_DAYS = 7
MAX_DAYS = 366


@admin_statistics.route("", methods=["GET"])
def get_service_statistics(service_id: uuid.UUID) -> Response:
    days = _days_argument()
    service = dao_get_service_by_id(service_id)
    counts = dao_list_service_daily_statistics(service.id, created_since=first_day_start(utc_now(), days))
    return jsonify(
        data=[
            {
                "day": count.day.isoformat(),
                "notification_type": count.notification_type,
                "status": count.status,
                "count": count.count,
            }
            for count in counts
        ]
    )


def first_day_start(now: datetime, days: int) -> datetime:
    """Midnight UTC at the start of the first of ``days`` days that end with today."""
    today = now.astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), tzinfo=UTC)


def _days_argument() -> int:
    value = request.args.get("days", str(DEFAULT_DAYS))
    # str.isdigit() is true for "²", which int() refuses: only ASCII digits, and few of them, are read.
    if not (value.isascii() and value.isdigit() and len(value) <= 3) or not 1 <= int(value) <= MAX_DAYS:
        raise InvalidRequest({"days": [f"days must be a whole number from 1 to {MAX_DAYS}"]}, 400)
    return int(value)
