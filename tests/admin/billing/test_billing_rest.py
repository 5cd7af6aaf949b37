"""GET /service/<id>/usage[.csv] and the free SMS allowance: usage per month and channel reconciled with a hand
count, the allowance spent in date order, dated rates, live days, and a CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time

from app.billing.facts import build_ft_billing_for_day
from app.dao.billing_dao import dao_create_or_update_annual_billing
from app.models import Service
from tests.auth_helpers import admin_auth_header
from tests.billing.billed import create_letter, create_letter_template, create_standard_rates
from tests.factories import create_notification, create_rate, create_service, create_template

NOW = datetime(2024, 6, 20, 11, 0, tzinfo=UTC)  # 12:00 in London, 20 June 2024


def get_usage(client: FlaskClient, service_id: Any, query: str = "?year=2024") -> tuple[int, Any]:
    response = client.get(f"/service/{service_id}/usage{query}", headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def month_row(body: dict[str, Any], month: str, notification_type: str) -> dict[str, Any]:
    [row] = [row for row in body["months"] if (row["month"], row["notification_type"]) == (month, notification_type)]
    return row


def uk_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


def send_sms(
    service: Service, day: date, fragments: int, *, count: int = 1, status: str = "delivered", to: str | None = None
) -> None:
    template = create_template(service=service)
    for _ in range(count):
        create_notification(template=template, status=status, billable_units=fragments, created_at=uk_noon(day), to=to)


def build(*days: date) -> None:
    for day in days:
        build_ft_billing_for_day(day)


@pytest.fixture
def service(client: FlaskClient) -> Service:
    create_standard_rates()
    service = create_service()
    dao_create_or_update_annual_billing(service.id, financial_year_start=2024, free_sms_fragment_limit=10)
    return service


@freeze_time(NOW)
def test_a_months_usage_matches_a_hand_count_of_fragments(client: FlaskClient, service: Service) -> None:
    may = date(2024, 5, 3)
    send_sms(service, may, 1, count=2)
    send_sms(service, may, 2, status="temporary-failure")
    send_sms(service, may, 3, status="sending")
    send_sms(service, may, 3, status="technical-failure")
    send_sms(service, may, 2, to="+79123456789", status="sent")  # x10
    create_notification(
        template=create_template(service=service),
        status="delivered",
        billable_units=3,
        key_type="test",
        created_at=uk_noon(may),
    )
    build(may)

    status, body = get_usage(client, service.id)

    assert status == 200
    assert month_row(body, "2024-05", "sms") == {
        "month": "2024-05",
        "notification_type": "sms",
        "notifications": 5,
        "billable_units": 1 + 1 + 2 + 3 + 2 * 10,
        "chargeable_units": 27 - 10,
        "cost": "0.3859",  # 17 x 0.0227
    }
    assert (body["free_sms_fragments_used"], body["free_sms_fragments_remaining"]) == (10, 0)


@freeze_time(NOW)
def test_the_allowance_is_spent_in_date_order_across_months(client: FlaskClient, service: Service) -> None:
    send_sms(service, date(2024, 4, 30), 2, count=3)
    send_sms(service, date(2024, 5, 1), 1, count=7)
    build(date(2024, 4, 30), date(2024, 5, 1))

    _, body = get_usage(client, service.id)

    assert (month_row(body, "2024-04", "sms")["chargeable_units"], month_row(body, "2024-04", "sms")["cost"]) == (
        0,
        "0.0000",
    )
    assert (
        month_row(body, "2024-05", "sms")["billable_units"],
        month_row(body, "2024-05", "sms")["chargeable_units"],
    ) == (7, 3)
    assert body["totals"][0] == {
        "notification_type": "sms",
        "notifications": 10,
        "billable_units": 13,
        "chargeable_units": 3,
        "cost": "0.0681",
    }


@freeze_time(NOW)
def test_a_rate_change_mid_month_prices_days_at_their_own_rate(client: FlaskClient, service: Service) -> None:
    dao_create_or_update_annual_billing(service.id, financial_year_start=2024, free_sms_fragment_limit=0)
    create_rate(valid_from=datetime(2024, 5, 14, 23, 0, tzinfo=UTC), rate="0.0300")  # from 15 May in London
    send_sms(service, date(2024, 5, 14), 1, count=2)
    send_sms(service, date(2024, 5, 15), 1, count=3)
    build(date(2024, 5, 14), date(2024, 5, 15))

    _, body = get_usage(client, service.id)

    assert month_row(body, "2024-05", "sms")["cost"] == "0.1354"  # 2 x 0.0227 + 3 x 0.0300


@freeze_time(NOW)
def test_emails_and_letters_are_all_chargeable(client: FlaskClient, service: Service) -> None:
    may = date(2024, 5, 3)
    email = create_template(service=service, template_type="email")
    for status in ("delivered", "permanent-failure", "technical-failure"):
        create_notification(template=email, status=status, created_at=uk_noon(may))
    letter = create_letter_template(service=service)
    create_letter(template=letter, sheets=2, postage="second", created_at=uk_noon(may))
    create_letter(template=letter, sheets=1, postage="first", status="sending", created_at=uk_noon(may))
    build(may)

    _, body = get_usage(client, service.id)

    assert month_row(body, "2024-05", "email") | {"month": "-"} == {
        "month": "-",
        "notification_type": "email",
        "notifications": 2,
        "billable_units": 2,
        "chargeable_units": 2,
        "cost": "0.0000",
    }
    assert month_row(body, "2024-05", "letter") | {"month": "-"} == {
        "month": "-",
        "notification_type": "letter",
        "notifications": 2,
        "billable_units": 3,
        "chargeable_units": 3,
        "cost": "1.4000",  # 0.60 (2 sheets, second class) + 0.80 (1 sheet, first class)
    }
    assert body["total_cost"] == "1.4000"


@freeze_time(NOW)
def test_yesterday_and_today_are_counted_live_and_said_to_be(client: FlaskClient, service: Service) -> None:
    send_sms(service, date(2024, 6, 18), 1)  # built
    send_sms(service, date(2024, 6, 19), 2)  # not built yet
    send_sms(service, date(2024, 6, 20), 3, status="sending")
    build(date(2024, 6, 18))

    _, body = get_usage(client, service.id)

    assert (body["includes_live_day"], body["live_days"]) == (True, ["2024-06-19", "2024-06-20"])
    assert month_row(body, "2024-06", "sms")["billable_units"] == 6


@freeze_time(NOW)
def test_a_live_day_already_built_is_not_counted_twice(client: FlaskClient, service: Service) -> None:
    send_sms(service, date(2024, 6, 19), 2)
    build(date(2024, 6, 19))

    _, body = get_usage(client, service.id)

    assert month_row(body, "2024-06", "sms")["billable_units"] == 2


@freeze_time(NOW)
def test_a_past_year_has_no_live_days_and_twelve_months_of_each_channel(client: FlaskClient, service: Service) -> None:
    _, body = get_usage(client, service.id, "?year=2023")

    assert (body["includes_live_day"], body["live_days"]) == (False, [])
    assert [row["month"] for row in body["months"]][::3] == [f"2023-{m:02}" for m in range(4, 13)] + [
        f"2024-{m:02}" for m in range(1, 4)
    ]
    assert body["free_sms_fragment_limit"] == 250_000


@freeze_time(NOW)
def test_the_year_defaults_to_the_current_financial_year(client: FlaskClient, service: Service) -> None:
    _, body = get_usage(client, service.id, "")

    assert body["financial_year_start"] == 2024


@pytest.mark.parametrize("year", ["24", "abcd", "1999", "²⁰²⁴", "2024 ", "20240", "-202"])
def test_the_year_must_be_four_digits_in_range(client: FlaskClient, year: str) -> None:
    status, body = get_usage(client, create_service().id, f"?year={year}")

    assert (status, body) == (400, {"result": "error", "message": {"year": ["must be a year from 2000 to 2100"]}})


def test_usage_of_an_unknown_service_is_not_found(client: FlaskClient) -> None:
    status, _ = get_usage(client, uuid.uuid4())

    assert status == 404


def test_usage_needs_admin_auth(client: FlaskClient) -> None:
    response = client.get(f"/service/{create_service().id}/usage.csv?year=2024")

    assert response.status_code == 401


@freeze_time(NOW)
def test_the_csv_parses_to_the_same_usage(client: FlaskClient, service: Service) -> None:
    send_sms(service, date(2024, 5, 3), 3, count=5)
    build(date(2024, 5, 3))

    response = client.get(f"/service/{service.id}/usage.csv?year=2024", headers=[admin_auth_header()])

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="usage-{service.id}-2024.csv"'
    text = response.get_data(as_text=True)
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 12 * 3 + 3
    [may_sms] = [row for row in rows if (row["month"], row["notification_type"]) == ("2024-05", "sms")]
    assert (
        may_sms["notifications"],
        may_sms["billable_units"],
        may_sms["chargeable_units"],
        may_sms["cost_pounds"],
    ) == (
        "5",
        "15",
        "5",
        "0.1135",
    )
    assert rows[-3]["month"] == "total"


@freeze_time(NOW)
@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", "\tx"])
def test_a_service_name_cannot_become_a_formula_in_the_csv(client: FlaskClient, name: str) -> None:
    create_standard_rates()
    service = create_service(name=name)

    response = client.get(f"/service/{service.id}/usage.csv?year=2024", headers=[admin_auth_header()])

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert {row[0] for row in rows[1:]} == {f"'{name}"}
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)


@freeze_time(NOW)
def test_numbers_in_the_csv_are_unquoted(client: FlaskClient, service: Service) -> None:
    response = client.get(f"/service/{service.id}/usage.csv?year=2024", headers=[admin_auth_header()])

    second_line = response.get_data(as_text=True).split("\r\n")[1]
    assert second_line.endswith(",2024,2024-04,sms,0,0,0,0.0000")


def get_allowance(client: FlaskClient, service_id: Any, query: str = "") -> tuple[int, Any]:
    response = client.get(
        f"/service/{service_id}/billing/free-sms-fragment-limit{query}", headers=[admin_auth_header()]
    )
    return response.status_code, response.get_json()


def post_allowance(client: FlaskClient, service_id: Any, body: Any) -> tuple[int, Any]:
    response = client.post(
        f"/service/{service_id}/billing/free-sms-fragment-limit", json=body, headers=[admin_auth_header()]
    )
    return response.status_code, response.get_json()


@freeze_time(NOW)
def test_the_allowance_is_the_configured_default_until_set(client: FlaskClient) -> None:
    service = create_service()

    before = get_allowance(client, service.id, "?financial_year_start=2024")
    posted = post_allowance(client, service.id, {"free_sms_fragment_limit": 40_000})
    after = get_allowance(client, service.id)
    other_year = get_allowance(client, service.id, "?financial_year_start=2023")

    assert before == (200, {"financial_year_start": 2024, "free_sms_fragment_limit": 250_000, "is_default": True})
    assert posted == (201, {"financial_year_start": 2024, "free_sms_fragment_limit": 40_000, "is_default": False})
    assert after == (200, posted[1])
    assert other_year[1]["is_default"] is True


def test_setting_the_allowance_again_replaces_it(client: FlaskClient) -> None:
    service = create_service()
    post_allowance(client, service.id, {"free_sms_fragment_limit": 5, "financial_year_start": 2022})

    status, body = post_allowance(client, service.id, {"free_sms_fragment_limit": 0, "financial_year_start": 2022})

    assert (status, body["free_sms_fragment_limit"]) == (201, 0)
    assert get_allowance(client, service.id, "?financial_year_start=2022")[1]["free_sms_fragment_limit"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"free_sms_fragment_limit": -1},
        {"free_sms_fragment_limit": "10"},
        {"free_sms_fragment_limit": 2**63},
        {"free_sms_fragment_limit": 1.5},
        {"free_sms_fragment_limit": 1, "financial_year_start": 1999},
        {"free_sms_fragment_limit": 1, "other": 1},
        [],
    ],
    ids=["missing", "negative", "string", "too-big", "fraction", "old-year", "unknown-field", "not-an-object"],
)
def test_a_bad_allowance_is_refused(client: FlaskClient, body: Any) -> None:
    service = create_service()

    status, answer = post_allowance(client, service.id, body)

    assert status == 400
    assert answer["result"] == "error"
    assert get_allowance(client, service.id, "?financial_year_start=2024")[1]["is_default"] is True


@freeze_time(NOW)
def test_usage_with_a_billed_letter_no_rate_prices_says_which_rate_is_missing(
    client: FlaskClient, service: Service
) -> None:
    create_letter(template=create_letter_template(service=service), sheets=1, postage="europe", created_at=NOW)

    status, body = get_usage(client, service.id)

    assert (status, body) == (500, {"result": "error", "message": "No europe letter rate is valid on 2024-06-20"})
