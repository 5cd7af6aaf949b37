"""GET /service/<id>/statistics: notifications per UTC day, type and status over the last days."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time

from app.admin.statistics.rest import first_day_start
from tests.auth_helpers import admin_auth_header
from tests.factories import create_notification, create_service, create_template

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)


def get_statistics(client: FlaskClient, service_id: Any, query: str = "") -> tuple[int, Any]:
    response = client.get(f"/service/{service_id}/statistics{query}", headers=[admin_auth_header()])
    return response.status_code, response.get_json()


def test_seven_days_start_at_midnight_six_days_before_today() -> None:
    assert first_day_start(NOW, 7) == datetime(2024, 5, 4, tzinfo=UTC)


@freeze_time(NOW)
def test_statistics_count_each_day_type_and_status(client: FlaskClient) -> None:
    service = create_service()
    sms = create_template(service=service)
    create_notification(template=sms, status="delivered", created_at=datetime(2024, 5, 4, 0, 1, tzinfo=UTC))
    create_notification(template=sms, status="delivered", created_at=datetime(2024, 5, 3, 23, 59, tzinfo=UTC))
    create_notification(template=create_template(service=service, template_type="email"), status="sending")

    status, body = get_statistics(client, service.id)

    assert status == 200
    assert body["data"] == [
        {"day": "2024-05-04", "notification_type": "sms", "status": "delivered", "count": 1},
        {"day": "2024-05-10", "notification_type": "email", "status": "sending", "count": 1},
    ]


@freeze_time(NOW)
def test_the_number_of_days_can_be_chosen(client: FlaskClient) -> None:
    template = create_template()
    create_notification(template=template, created_at=datetime(2024, 5, 9, tzinfo=UTC))

    _, body = get_statistics(client, template.service_id, "?days=1")

    assert body["data"] == []


@pytest.mark.parametrize("days", ["0", "abc", "400", "-1"])
def test_days_must_be_a_whole_number_up_to_a_year(client: FlaskClient, days: str) -> None:
    status, body = get_statistics(client, create_service().id, f"?days={days}")

    assert (status, body["message"]) == (400, {"days": ["days must be a whole number from 1 to 366"]})


def test_statistics_of_an_unknown_service_are_not_found(client: FlaskClient) -> None:
    status, _ = get_statistics(client, uuid.uuid4())

    assert status == 404
