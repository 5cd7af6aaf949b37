"""The simulator's MMG protocol: JSON requests with basic auth, {"Reference": n} answers, JSON receipts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator
from tests.simulator.receiver import Receiver

NOTIFICATION_ID = "3d1ce039-5476-414c-99b2-fac1e6add62c"
AUTHORIZATION = {"Authorization": "Basic bW1nLXNlY3JldC1rZXk="}


def _request(to: str = "447700900123", **changes: Any) -> dict[str, Any]:
    body = {"reqType": "BULK", "MSISDN": to, "msg": "Your code is 123456", "sender": "HERALD", "cid": NOTIFICATION_ID}
    return {**body, "multi": True, **changes}


def _send(
    simulator: SimulatorServer, body: dict[str, Any], headers: dict[str, str] = AUTHORIZATION
) -> requests.Response:
    return requests.post(f"{simulator.url}/mmg", json=body, headers=headers, timeout=5)


def test_accepted_message_is_answered_with_an_integer_reference(simulator: SimulatorServer) -> None:
    response = _send(simulator, _request())

    assert (response.status_code, type(response.json()["Reference"])) == (200, int)


def test_each_message_gets_its_own_reference(simulator: SimulatorServer) -> None:
    first = _send(simulator, _request()).json()["Reference"]

    second = _send(simulator, _request()).json()["Reference"]

    assert first != second


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer token"}, {"Authorization": "Basic "}], ids=["none", "bearer", "empty"]
)
def test_request_without_basic_credentials_is_refused(simulator: SimulatorServer, headers: dict[str, str]) -> None:
    response = _send(simulator, _request(), headers=headers)

    assert response.status_code == 401


def test_request_with_another_key_than_the_required_one_is_refused(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(mmg_api_key="the-right-key")

    wrong, right = (
        _send(simulator, _request(), headers={"Authorization": f"Basic {key}"})
        for key in ("wrong-key", "the-right-key")
    )

    assert (wrong.status_code, right.status_code) == (401, 200)


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ({"MSISDN": None}, "missing MSISDN"),
        ({"msg": ""}, "missing msg"),
        ({"cid": None}, "missing cid"),
        ({"MSISDN": "+447700900123"}, "MSISDN must be digits only"),
    ],
    ids=["no-number", "empty-message", "no-cid", "number-with-plus"],
)
def test_malformed_request_is_refused(simulator: SimulatorServer, change: dict[str, Any], description: str) -> None:
    response = _send(simulator, _request(**change))

    assert (response.status_code, response.json()["Description"]) == (400, description)


def test_body_that_is_not_json_is_refused(simulator: SimulatorServer) -> None:
    response = requests.post(f"{simulator.url}/mmg", data=b"MSISDN=447700900123", headers=AUTHORIZATION, timeout=5)

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("to", "status", "substatus"),
    [("447700900123", "3", "5"), ("447700900003", "4", "15"), ("447700900002", "5", "52")],
    ids=["delivered", "temporary-failure", "permanent-failure"],
)
def test_receipt_reports_the_recipients_outcome_to_herald(
    simulator: SimulatorServer, receiver: Receiver, to: str, status: str, substatus: str
) -> None:
    reference = _send(simulator, _request(to=to)).json()["Reference"]

    [receipt] = receiver.wait_for(1)

    body = json.loads(receipt.body)
    assert (receipt.path, receipt.headers["Content-Type"]) == ("/notifications/sms/mmg", "application/json")
    assert {key: body[key] for key in ("reference", "CID", "MSISDN", "status", "substatus")} == {
        "reference": str(reference),
        "CID": NOTIFICATION_ID,
        "MSISDN": to,
        "status": status,
        "substatus": substatus,
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body["deliverytime"])


def test_receipt_goes_to_the_delivery_url_the_request_gave(simulator: SimulatorServer, receiver: Receiver) -> None:
    _send(simulator, _request(delurl=f"{receiver.url}/somewhere/else"))

    [receipt] = receiver.wait_for(1)

    assert receipt.path == "/somewhere/else"


def test_accepted_message_can_be_found_by_either_reference(simulator: SimulatorServer) -> None:
    reference = _send(simulator, _request()).json()["Reference"]

    found = [
        requests.get(f"{simulator.url}/_simulator/messages", params=params, timeout=5).json()["messages"]
        for params in ({"provider": "mmg", "reference": reference}, {"reference": NOTIFICATION_ID})
    ]

    assert found[0] == found[1]
    assert {key: found[0][0][key] for key in ("provider", "reference", "client_reference", "to", "sender")} == {
        "provider": "mmg",
        "reference": str(reference),
        "client_reference": NOTIFICATION_ID,
        "to": ["447700900123"],
        "sender": "HERALD",
    }
