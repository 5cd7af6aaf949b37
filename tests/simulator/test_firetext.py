"""The simulator's Firetext protocol: form requests, {"code": 0, ...} answers, form receipts (two for a
temporary failure)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator
from tests.simulator.receiver import ReceivedRequest, Receiver

NOTIFICATION_ID = "3d1ce039-5476-414c-99b2-fac1e6add62c"


def _form(to: str = "447700900123", **changes: Any) -> dict[str, Any]:
    form = {
        "apiKey": "firetext-key",
        "from": "HERALD",
        "to": to,
        "message": "Your code is 1",
        "reference": NOTIFICATION_ID,
    }
    return {key: value for key, value in {**form, **changes}.items() if value is not None}


def _send(simulator: SimulatorServer, form: dict[str, Any]) -> requests.Response:
    return requests.post(f"{simulator.url}/firetext", data=form, timeout=5)


def _fields(receipt: ReceivedRequest) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(receipt.body.decode(), keep_blank_values=True).items()}


def test_accepted_message_is_answered_as_queued(simulator: SimulatorServer) -> None:
    response = _send(simulator, _form())

    assert (response.status_code, response.json()) == (
        200,
        {"code": 0, "description": "SMS successfully queued", "data": [], "responseData": 1},
    )


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"apiKey": None}, 1),
        ({"to": None}, 2),
        ({"to": "+447700900123"}, 2),
        ({"from": None}, 3),
        ({"message": ""}, 5),
    ],
    ids=["no-api-key", "no-number", "number-with-plus", "no-sender", "empty-message"],
)
def test_refused_message_is_answered_with_firetexts_error_code(
    simulator: SimulatorServer, change: dict[str, Any], code: int
) -> None:
    response = _send(simulator, _form(**change))

    assert (response.status_code, response.json()["code"]) == (200, code)


def test_request_with_another_key_than_the_required_one_is_refused(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(firetext_api_key="the-right-key")

    wrong, right = (_send(simulator, _form(apiKey=key)).json()["code"] for key in ("wrong-key", "the-right-key"))

    assert (wrong, right) == (1, 0)


@pytest.mark.parametrize(
    ("to", "receipts"),
    [
        ("447700900123", [("0", "000")]),
        ("447700900002", [("1", "101")]),
        ("447700900003", [("2", None), ("1", "102")]),
    ],
    ids=["delivered", "permanent-failure", "temporary-failure-pending-then-declined"],
)
def test_receipts_report_the_recipients_outcome_to_herald(
    simulator: SimulatorServer, receiver: Receiver, to: str, receipts: list[tuple[str, str | None]]
) -> None:
    _send(simulator, _form(to=to))

    arrived = [_fields(receipt) for receipt in receiver.wait_for(len(receipts))]

    assert [(fields["status"], fields.get("code")) for fields in arrived] == receipts
    assert {(fields["mobile"], fields["reference"]) for fields in arrived} == {(to, NOTIFICATION_ID)}


def test_receipt_is_a_form_posted_to_herald_with_a_provider_time(
    simulator: SimulatorServer, receiver: Receiver
) -> None:
    _send(simulator, _form())

    [receipt] = receiver.wait_for(1)

    assert (receipt.path, receipt.headers["Content-Type"]) == (
        "/notifications/sms/firetext",
        "application/x-www-form-urlencoded",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", _fields(receipt)["time"])


def test_receipt_goes_to_the_receipt_url_the_request_gave(simulator: SimulatorServer, receiver: Receiver) -> None:
    _send(simulator, _form(receipt=f"{receiver.url}/firetext/receipts"))

    [receipt] = receiver.wait_for(1)

    assert receipt.path == "/firetext/receipts"


def test_accepted_message_is_listed_with_its_sender_and_content(simulator: SimulatorServer) -> None:
    _send(simulator, _form())

    [message] = requests.get(
        f"{simulator.url}/_simulator/messages", params={"provider": "firetext", "reference": NOTIFICATION_ID}, timeout=5
    ).json()["messages"]

    assert (message["to"], message["sender"], message["content"], message["outcome"]) == (
        ["447700900123"],
        "HERALD",
        "Your code is 1",
        "delivered",
    )
