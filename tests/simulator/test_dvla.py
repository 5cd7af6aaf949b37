"""The simulator's print API, driven by Herald's own print client: accepted letters, despatch confirmations sent to
the job's callback, rejections by recipient, duplicates, refused credentials, outages."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from app.clients.errors import ProviderOutcomeUnknownError, ProviderPermanentError, ProviderRetryableError
from app.clients.letter.dvla import DvlaClient
from app.clients.letter.print_job import LetterPrintJob
from app.clients.statsd_client import StatsdClient
from app.letters.postal_address import parse_postal_address
from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator
from tests.simulator.receiver import Receiver

PDF = b"%PDF-1.7\n1 0 obj << /Type /Pages /Count 3 >> endobj\n" + b"<< /Type /Page >>\n" * 3


def _client(simulator: SimulatorServer) -> DvlaClient:
    return DvlaClient(
        base_url=f"{simulator.url}/dvla",
        username="herald",
        password="secret",
        api_key="key",
        timeout_seconds=5,
        statsd=StatsdClient(enabled=False),
    )


def _job(receiver: Receiver, recipient: str = "Ann Other", postage: str = "first") -> LetterPrintJob:
    notification_id = uuid.uuid4()
    return LetterPrintJob(
        notification_id=notification_id,
        reference="ABCDEFGHIJ123456",
        address=parse_postal_address((recipient, "1 High Street", "SW1A 1AA")),
        postage=postage,
        pdf=PDF,
        service_id=uuid.uuid4(),
        callback_url=f"{receiver.url}/notifications/letter/status?token={notification_id}.sig",
    )


def test_a_printed_letter_is_confirmed_despatched_to_its_callback(
    simulator: SimulatorServer, receiver: Receiver
) -> None:
    job = _job(receiver)

    _client(simulator).send_letter(job)

    (confirmation,) = receiver.wait_for(1)
    assert confirmation.path == "/notifications/letter/status"
    data = json.loads(confirmation.body)["data"]
    assert (data["jobId"], data["jobStatus"]) == (str(job.notification_id), "DESPATCHED")
    assert {item["key"]: item["value"] for item in data["despatchProperties"]} == {
        "totalSheets": "2",
        "postageClass": "1ST",
        "mailingProduct": "UNCODED",
    }


def test_a_letter_to_the_rejected_recipient_is_confirmed_rejected(
    simulator: SimulatorServer, receiver: Receiver
) -> None:
    _client(simulator).send_letter(_job(receiver, recipient="Rejected Letter"))

    (confirmation,) = receiver.wait_for(1)
    assert json.loads(confirmation.body)["data"]["jobStatus"] == "REJECTED"


def test_a_job_sent_again_is_a_duplicate_that_the_client_takes_as_accepted(
    simulator: SimulatorServer, receiver: Receiver
) -> None:
    job = _job(receiver)
    client = _client(simulator)
    client.send_letter(job)

    client.send_letter(job)

    assert len(receiver.received_after(0.5)) == 1


def test_a_print_request_without_a_token_is_refused(simulator: SimulatorServer) -> None:
    response = requests.post(f"{simulator.url}/dvla/print-request/v1/print/jobs", json={}, timeout=5)

    assert response.status_code == 401


def test_a_callback_outside_herald_is_refused(simulator: SimulatorServer, receiver: Receiver) -> None:
    job = _job(receiver)
    elsewhere = LetterPrintJob(**{**job.__dict__, "callback_url": "http://169.254.169.254/latest"})

    with pytest.raises(ProviderPermanentError):
        _client(simulator).send_letter(elsewhere)


def test_an_outage_is_retryable(start_simulator: StartSimulator, receiver: Receiver) -> None:
    simulator = start_simulator(behaviour={"dvla": {"outage": True}})

    with pytest.raises(ProviderRetryableError) as raised:
        _client(simulator).send_letter(_job(receiver))

    assert not isinstance(raised.value, ProviderPermanentError)


def test_an_error_is_an_unknown_outcome(start_simulator: StartSimulator, receiver: Receiver) -> None:
    simulator = start_simulator(behaviour={"dvla": {"error_rate": 1.0}})

    with pytest.raises(ProviderOutcomeUnknownError):
        _client(simulator).send_letter(_job(receiver))
