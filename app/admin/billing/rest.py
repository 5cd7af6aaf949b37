"""GET /service/<id>/usage[.csv]?year=YYYY (usage and cost per month and channel for the financial year starting
in April YYYY) and the service's free SMS allowance per financial year, read and set."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, current_app, jsonify, request

from app.admin.billing.schemas import FreeSmsFragmentLimitSchema, parse_year_argument
from app.admin.request_body import load_admin_body
from app.authentication.auth import requires_admin_auth
from app.billing.calendar import financial_year_of, uk_today
from app.billing.usage import (
    ChannelUsage,
    FreeAllowance,
    YearUsage,
    format_cost,
    free_allowance_for_year,
    service_usage_for_year,
)
from app.billing.usage_csv import usage_csv
from app.clock import utc_now
from app.dao.billing_dao import dao_create_or_update_annual_billing
from app.dao.services_dao import dao_get_service_by_id
from app.envelopes import Envelope, HeraldBlueprint

admin_billing = HeraldBlueprint(
    "admin_billing", __name__, url_prefix="/service/<uuid:service_id>", envelope=Envelope.ADMIN
)
admin_billing.before_request(requires_admin_auth)


@admin_billing.route("/usage", methods=["GET"])
def get_service_usage(service_id: uuid.UUID) -> Response:
    year = _year_argument("year")
    service = dao_get_service_by_id(service_id)
    return jsonify(_usage_json(_usage(service.id, year)))


@admin_billing.route("/usage.csv", methods=["GET"])
def get_service_usage_csv(service_id: uuid.UUID) -> Response:
    year = _year_argument("year")
    service = dao_get_service_by_id(service_id)
    body = usage_csv(service.name, _usage(service.id, year))
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="usage-{service.id}-{year}.csv"'
    return response


@admin_billing.route("/billing/free-sms-fragment-limit", methods=["GET"])
def get_free_sms_fragment_limit(service_id: uuid.UUID) -> Response:
    year = _year_argument("financial_year_start")
    service = dao_get_service_by_id(service_id)
    default_limit = current_app.config["DEFAULT_FREE_SMS_FRAGMENT_LIMIT"]
    return jsonify(_allowance_json(free_allowance_for_year(service.id, year, default_limit=default_limit)))


@admin_billing.route("/billing/free-sms-fragment-limit", methods=["POST"])
def post_free_sms_fragment_limit(service_id: uuid.UUID) -> tuple[Response, int]:
    body = load_admin_body(FreeSmsFragmentLimitSchema())
    service = dao_get_service_by_id(service_id)
    year = body.get("financial_year_start", financial_year_of(uk_today(utc_now())))
    row = dao_create_or_update_annual_billing(
        service.id, financial_year_start=year, free_sms_fragment_limit=body["free_sms_fragment_limit"]
    )
    allowance = FreeAllowance(row.financial_year_start, row.free_sms_fragment_limit, is_default=False)
    return jsonify(_allowance_json(allowance)), 201


def _year_argument(name: str) -> int:
    """The financial year asked for, the current one when absent."""
    year = parse_year_argument(name, request.args.get(name))
    return financial_year_of(uk_today(utc_now())) if year is None else year


def _usage(service_id: uuid.UUID, year: int) -> YearUsage:
    return service_usage_for_year(
        service_id,
        year,
        now=utc_now(),
        default_free_sms_fragment_limit=current_app.config["DEFAULT_FREE_SMS_FRAGMENT_LIMIT"],
    )


def _allowance_json(allowance: FreeAllowance) -> dict[str, Any]:
    return {
        "financial_year_start": allowance.financial_year_start,
        "free_sms_fragment_limit": allowance.free_sms_fragment_limit,
        "is_default": allowance.is_default,
    }


def _channel_json(usage: ChannelUsage) -> dict[str, Any]:
    return {
        "notification_type": usage.notification_type,
        "notifications": usage.notifications,
        "billable_units": usage.billable_units,
        "chargeable_units": usage.chargeable_units,
        "cost": format_cost(usage.cost),
    }


def _usage_json(usage: YearUsage) -> dict[str, Any]:
    return {
        "financial_year_start": usage.allowance.financial_year_start,
        "free_sms_fragment_limit": usage.allowance.free_sms_fragment_limit,
        "free_sms_fragments_used": usage.free_sms_fragments_used,
        "free_sms_fragments_remaining": usage.free_sms_fragments_remaining,
        "includes_live_day": bool(usage.live_days),
        "live_days": [day.isoformat() for day in usage.live_days],
        "months": [
            {"month": month.month.strftime("%Y-%m"), **_channel_json(channel)}
            for month in usage.months
            for channel in month.channels
        ],
        "totals": [_channel_json(total) for total in usage.totals],
        "total_cost": format_cost(usage.total_cost),
    }
