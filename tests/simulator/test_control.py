"""The simulator's /_simulator endpoints: health, config, messages, stats and the signing certificate."""

from __future__ import annotations

import time
from typing import Any

import requests
from cryptography import x509

from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator
from tests.simulator.receiver import Receiver

NOTIFICATION_ID = "3d1ce039-5476-414c-99b2-fac1e6add62c"


def _send_mmg(simulator: SimulatorServer, to: str = "447700900123") -> int:
    body = {"reqType": "BULK", "MSISDN": to, "msg": "m", "cid": NOTIFICATION_ID, "multi": True}
    response = requests.post(f"{simulator.url}/mmg", json=body, headers={"Authorization": "Basic key"}, timeout=5)
    reference: int = response.json()["Reference"]
    return reference


def test_health_answers_ok(simulator: SimulatorServer) -> None:
    response = requests.get(f"{simulator.url}/_simulator/health", timeout=5)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_posted_config_is_what_the_config_shows(simulator: SimulatorServer) -> None:
    change = {"global": {"latency_ms": 5}, "ses": {"outage": True, "receipt_delay_ms": [10, 20]}}

    posted = requests.post(f"{simulator.url}/_simulator/config", json=change, timeout=5).json()
    shown = requests.get(f"{simulator.url}/_simulator/config", timeout=5).json()

    assert posted == shown
    assert (shown["mmg"]["latency_ms"], shown["ses"]["outage"], shown["ses"]["receipt_delay_ms"]) == (5, True, [10, 20])


def test_posting_the_shown_config_back_changes_nothing(simulator: SimulatorServer) -> None:
    requests.post(f"{simulator.url}/_simulator/config", json={"firetext": {"error_rate": 0.5}}, timeout=5)
    shown = requests.get(f"{simulator.url}/_simulator/config", timeout=5).json()

    posted_back = requests.post(f"{simulator.url}/_simulator/config", json=shown, timeout=5).json()

    assert posted_back == shown


def test_config_change_takes_effect_at_once(simulator: SimulatorServer) -> None:
    requests.post(f"{simulator.url}/_simulator/config", json={"mmg": {"outage": True}}, timeout=5)

    response = requests.post(f"{simulator.url}/mmg", json={}, headers={"Authorization": "Basic key"}, timeout=5)

    assert response.status_code == 503


def test_bad_config_is_refused_and_changes_nothing(simulator: SimulatorServer) -> None:
    before = requests.get(f"{simulator.url}/_simulator/config", timeout=5).json()

    response = requests.post(
        f"{simulator.url}/_simulator/config", json={"mmg": {"outage": True}, "ses": {"error_rate": 2}}, timeout=5
    )

    after = requests.get(f"{simulator.url}/_simulator/config", timeout=5).json()
    assert (response.status_code, response.json(), after) == (
        400,
        {"error": "error_rate must be a number from 0 to 1"},
        before,
    )


def test_deleting_the_config_restores_the_behaviour_given_at_start(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(behaviour={"firetext": {"no_receipt": True}})
    at_start = requests.get(f"{simulator.url}/_simulator/config", timeout=5).json()
    requests.post(f"{simulator.url}/_simulator/config", json={"outage": True, "firetext": None}, timeout=5)

    restored = requests.delete(f"{simulator.url}/_simulator/config", timeout=5).json()

    assert (restored, restored["firetext"]["no_receipt"]) == (at_start, True)


def test_messages_are_filtered_by_provider(simulator: SimulatorServer) -> None:
    _send_mmg(simulator)

    listed = {
        provider: requests.get(f"{simulator.url}/_simulator/messages", params={"provider": provider}, timeout=5).json()
        for provider in ("mmg", "ses")
    }

    assert (len(listed["mmg"]["messages"]), listed["ses"]["messages"]) == (1, [])


def test_unknown_provider_filter_is_refused(simulator: SimulatorServer) -> None:
    response = requests.get(f"{simulator.url}/_simulator/messages", params={"provider": "sms"}, timeout=5)

    assert response.status_code == 400


def test_deleting_messages_clears_the_list(simulator: SimulatorServer) -> None:
    _send_mmg(simulator)

    deleted = requests.delete(f"{simulator.url}/_simulator/messages", timeout=5)

    listed = requests.get(f"{simulator.url}/_simulator/messages", timeout=5).json()
    assert (deleted.status_code, listed) == (204, {"messages": []})


def _stats_once_receipts_are_done(simulator: SimulatorServer) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        stats: dict[str, Any] = requests.get(f"{simulator.url}/_simulator/stats", timeout=5).json()
        if all(counts["receipts"].get("pending", 0) == 0 for counts in stats.values()) or time.monotonic() > deadline:
            return stats
        time.sleep(0.02)


def test_stats_count_requests_outcomes_and_receipts(simulator: SimulatorServer, receiver: Receiver) -> None:
    _send_mmg(simulator, "447700900123")
    _send_mmg(simulator, "447700900002")
    receiver.wait_for(2)

    stats = _stats_once_receipts_are_done(simulator)

    assert stats["mmg"] == {
        "requests": {"accepted": 2},
        "outcomes": {"delivered": 1, "permanent-failure": 1},
        "receipts": {"pending": 0, "sent": 2},
    }


def test_deleting_stats_zeroes_them(simulator: SimulatorServer, receiver: Receiver) -> None:
    _send_mmg(simulator)
    receiver.wait_for(1)
    _stats_once_receipts_are_done(simulator)

    requests.delete(f"{simulator.url}/_simulator/stats", timeout=5)

    stats = requests.get(f"{simulator.url}/_simulator/stats", timeout=5).json()
    assert stats["mmg"] == {"requests": {}, "outcomes": {}, "receipts": {}}


def test_signing_certificate_is_served_at_the_sns_shaped_path_its_messages_name(simulator: SimulatorServer) -> None:
    path = simulator.runtime.sns_certificate_path

    response = requests.get(f"{simulator.url}{path}", timeout=5)

    assert (path.startswith("/SimpleNotificationService-"), response.content) == (
        True,
        simulator.runtime.certificate_pem,
    )


def test_no_certificate_is_served_at_another_sns_shaped_path(simulator: SimulatorServer) -> None:
    response = requests.get(f"{simulator.url}/SimpleNotificationService-{'0' * 32}.pem", timeout=5)

    assert response.status_code == 404


def test_signing_certificate_is_served_as_pem(simulator: SimulatorServer) -> None:
    response = requests.get(f"{simulator.url}/_simulator/sns-signing-cert.pem", timeout=5)

    certificate = x509.load_pem_x509_certificate(response.content)
    assert certificate.public_key() == simulator.runtime.private_key.public_key()
