"""The cost fields of a notification: billable units × rate multiplier × SMS rate, once the cost is known."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_template
from tests.v2.read_api import create_service_with_key, get_as


@pytest.fixture
def sms_rate(notify_api: Flask) -> float:
    return float(notify_api.config["SMS_RATE_POUNDS"])


def test_the_sms_rate_defaults_to_notify_s_rate(sms_rate: float) -> None:
    assert sms_rate == 0.0227


@pytest.mark.parametrize(
    ("billable_units", "rate_multiplier", "expected_cost"),
    [(1, 1, 0.0227), (3, 1, 0.0681), (2, 4, 0.1816), (0, 1, 0.0)],
    ids=["one-fragment", "three-fragments", "international-rate", "nothing-billed"],
)
def test_an_sms_that_was_sent_has_its_cost(
    client: FlaskClient, billable_units: int, rate_multiplier: int, expected_cost: float
) -> None:
    caller = create_service_with_key()
    notification = create_notification(template=create_template(service=caller.service), status="created")
    dao_update_notification_status_by_id(
        notification.id, NotificationStatus.SENDING, billable_units=billable_units, rate_multiplier=rate_multiplier
    )

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["is_cost_data_ready"] is True
    assert response.json["cost_in_pounds"] == expected_cost
    assert response.json["cost_details"] == {
        "billable_sms_fragments": billable_units,
        "international_rate_multiplier": rate_multiplier,
        "sms_rate": 0.0227,
    }


def test_an_sms_not_yet_taken_on_by_a_worker_has_no_cost_yet(client: FlaskClient) -> None:
    caller = create_service_with_key()
    notification = create_notification(template=create_template(service=caller.service), status="created")

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["is_cost_data_ready"] is False
    assert response.json["cost_in_pounds"] is None
    assert response.json["cost_details"] == {}


def test_an_email_costs_nothing_from_the_start(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, template_type="email")
    notification = create_notification(template=template, status="created", personalisation={"name": "A", "ref": "B"})

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.json["is_cost_data_ready"] is True
    assert response.json["cost_in_pounds"] == 0.0
    assert response.json["cost_details"] == {}
