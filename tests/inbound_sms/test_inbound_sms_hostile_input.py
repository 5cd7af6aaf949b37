"""Inbound SMS fields a column cannot hold, or times before the first representable moment, are not a 500."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from app.dao.inbound_numbers_dao import dao_assign_inbound_number
from app.extensions import db
from app.models import InboundSms
from tests.factories import create_service


@pytest.fixture(autouse=True)
def send_task(notify_api: Flask) -> Iterator[MagicMock]:
    with patch.object(notify_api.extensions["celery"], "send_task") as mock:
        yield mock


@pytest.fixture(autouse=True)
def service_with_number(notify_db_session: None) -> None:
    service = create_service(permissions=["sms", "inbound_sms"])
    dao_assign_inbound_number(service.id, number="07700900001", provider="mmg")


def _auth() -> dict[str, str]:
    config = current_app.config
    credentials = f"{config['INBOUND_SMS_BASIC_AUTH_USERNAME']}:{config['INBOUND_SMS_BASIC_AUTH_PASSWORD']}"
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


def _mmg(**overrides: Any) -> dict[str, Any]:
    return {"MSISDN": "447700900123", "Number": "447700900001", "Message": "Hi", "ID": "mmg-1", **overrides}


@pytest.mark.parametrize(
    ("field", "value"),
    [("MSISDN", "4477\x00"), ("MSISDN", "4" * 21), ("Number", "447700900001\x00"), ("ID", "a\x00"), ("ID", "a" * 256)],
    ids=["nul in sender", "long sender", "nul in our number", "nul in id", "long id"],
)
def test_mmg_inbound_refuses_a_field_its_column_cannot_hold(client: FlaskClient, field: str, value: str) -> None:
    response = client.post("/notifications/sms/receive/mmg", json=_mmg(**{field: value}), headers=_auth())

    assert (response.status_code, response.get_json()) == (
        400,
        {"result": "error", "message": [f"MMG inbound SMS failed: {field} is not valid"]},
    )
    assert db.session.scalars(select(InboundSms)).all() == []


@pytest.mark.parametrize(("field", "value"), [("source", "44\x00"), ("destination", "4" * 21)], ids=["nul", "long"])
def test_firetext_inbound_refuses_a_field_its_column_cannot_hold(client: FlaskClient, field: str, value: str) -> None:
    form = {"source": "447700900123", "destination": "447700900001", "message": "Hi", field: value}

    response = client.post("/notifications/sms/receive/firetext", data=form, headers=_auth())

    assert response.status_code == 400
    assert response.get_json()["message"] == [f"Firetext inbound SMS failed: {field} is not valid"]


@pytest.mark.parametrize(
    "received_at", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"], ids=["after 9999", "before year 1"]
)
def test_mmg_inbound_stores_a_message_whose_time_cannot_be_represented_without_it(
    client: FlaskClient, received_at: str
) -> None:
    response = client.post("/notifications/sms/receive/mmg", json=_mmg(DateRecieved=received_at), headers=_auth())

    assert response.status_code == 200
    assert [message.provider_date for message in db.session.scalars(select(InboundSms))] == [None]
