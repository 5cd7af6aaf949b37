"""The simulator server: where it tells Herald to fetch its SNS certificate from."""

from __future__ import annotations

from app.simulator.server import SimulatorServer
from tests.simulator.conftest import StartSimulator


def test_signing_certificate_url_is_on_the_bound_port(simulator: SimulatorServer) -> None:
    assert simulator.runtime.sns_topic().signing_cert_url == f"{simulator.url}{simulator.runtime.sns_certificate_path}"


def test_signing_certificate_url_uses_the_public_url_when_given(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(public_url="http://simulator.internal:6030/")

    assert (
        simulator.runtime.sns_topic().signing_cert_url
        == f"http://simulator.internal:6030{simulator.runtime.sns_certificate_path}"
    )


def test_server_on_every_interface_is_reached_through_the_loopback_address(start_simulator: StartSimulator) -> None:
    simulator = start_simulator(host="0.0.0.0")

    assert simulator.url.startswith("http://127.0.0.1:")
