"""Failure modes every provider endpoint plays: outage, error rate, latency, slow answers and withheld receipts."""

from __future__ import annotations

import time

import pytest
import requests

from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator
from tests.simulator.receiver import Receiver

NOTIFICATION_ID = "3d1ce039-5476-414c-99b2-fac1e6add62c"
SES_BODY = {
    "FromEmailAddress": "sender@herald.example",
    "Destination": {"ToAddresses": ["someone@example.com"]},
    "Content": {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}},
}


def _send(simulator: SimulatorServer, provider: str, timeout_seconds: float = 5) -> requests.Response:
    url = simulator.url
    if provider == "mmg":
        body = {"reqType": "BULK", "MSISDN": "447700900123", "msg": "m", "cid": NOTIFICATION_ID, "multi": True}
        return requests.post(f"{url}/mmg", json=body, headers={"Authorization": "Basic key"}, timeout=timeout_seconds)
    if provider == "firetext":
        form = {"apiKey": "k", "from": "HERALD", "to": "447700900123", "message": "m", "reference": NOTIFICATION_ID}
        return requests.post(f"{url}/firetext", data=form, timeout=timeout_seconds)
    return requests.post(f"{url}/ses/v2/email/outbound-emails", json=SES_BODY, timeout=timeout_seconds)


PROVIDERS = pytest.mark.parametrize("provider", ["mmg", "firetext", "ses"], ids=str)


@PROVIDERS
def test_outage_answers_503(start_simulator: StartSimulator, provider: str) -> None:
    simulator = start_simulator(behaviour={"outage": True})

    assert _send(simulator, provider).status_code == 503


@PROVIDERS
def test_error_rate_of_one_answers_500(start_simulator: StartSimulator, provider: str) -> None:
    simulator = start_simulator(behaviour={"error_rate": 1})

    assert _send(simulator, provider).status_code == 500


def test_simulated_ses_error_carries_an_aws_error_type(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(behaviour={"outage": True})

    response = _send(simulator, "ses")

    assert response.headers["x-amzn-ErrorType"] == "ServiceUnavailable"


def test_outage_of_one_provider_leaves_the_others_answering(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(behaviour={"mmg": {"outage": True}})

    answers = {provider: _send(simulator, provider).status_code for provider in ("mmg", "firetext", "ses")}

    assert answers == {"mmg": 503, "firetext": 200, "ses": 200}


def test_latency_delays_the_answer(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(behaviour={"latency_ms": 300})
    started = time.monotonic()

    _send(simulator, "mmg")

    assert time.monotonic() - started >= 0.3


@PROVIDERS
def test_a_slow_answer_comes_after_the_message_was_taken_and_its_receipt_sent(
    start_simulator: StartSimulator, receiver: Receiver, provider: str
) -> None:
    simulator = start_simulator(behaviour={"answer_delay_ms": 2000, "receipt_delay_ms": [0, 0]})

    with pytest.raises(requests.ReadTimeout):
        _send(simulator, provider, timeout_seconds=0.3)

    receipts = receiver.wait_for(1, timeout_seconds=1.5)  # well before the answer would have come
    accepted = requests.get(f"{simulator.url}/_simulator/messages", params={"provider": provider}, timeout=5)
    assert (len(accepted.json()["messages"]), len(receipts) >= 1) == (1, True)


@PROVIDERS
def test_no_receipt_accepts_the_message_but_sends_nothing(
    start_simulator: StartSimulator, receiver: Receiver, provider: str
) -> None:
    simulator = start_simulator(behaviour={"no_receipt": True, "receipt_delay_ms": [0, 0]})

    answer = _send(simulator, provider)

    assert (answer.status_code, receiver.received_after(0.5)) == (200, [])


def test_receipt_waits_for_its_delay(start_simulator: StartSimulator, receiver: Receiver) -> None:
    simulator = start_simulator(behaviour={"receipt_delay_ms": [400, 400]})
    _send(simulator, "mmg")

    early = receiver.received_after(0.2)
    late = receiver.wait_for(1, timeout_seconds=2)

    assert (len(early), len(late)) == (0, 1)


def test_failed_requests_are_counted_by_how_they_were_answered(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(behaviour={"mmg": {"outage": True}, "firetext": {"error_rate": 1}})
    for provider in ("mmg", "firetext", "firetext"):
        _send(simulator, provider)

    statistics = simulator.runtime.statistics_document()

    assert (statistics["mmg"]["requests"], statistics["firetext"]["requests"]) == ({"outage": 1}, {"error": 2})
