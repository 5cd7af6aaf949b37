"""An in-process simulator on a free port, sending its receipts to a local Receiver that stands in for Herald."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from app.simulator.server import SimulatorServer
from app.simulator.settings import SimulatorSettings
from app.simulator.sns_signing import generate_signing_identity
from tests.simulator.receiver import Receiver

StartSimulator = Callable[..., SimulatorServer]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One signing key and certificate for the whole run (making an RSA key for every test is slow)."""
    directory = tmp_path_factory.mktemp("simulator-signing")
    private_key, certificate_pem = generate_signing_identity()
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    key_path.write_bytes(
        private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(certificate_pem)
    return key_path, cert_path


@pytest.fixture
def start_simulator(receiver: Receiver, signing_files: tuple[Path, Path]) -> Iterator[StartSimulator]:
    """Start a simulator with receipts sent at once (override any setting by keyword); all are stopped after."""
    started: list[SimulatorServer] = []

    def start(**overrides: Any) -> SimulatorServer:
        settings = SimulatorSettings(
            port=0,
            herald_url=receiver.url,
            signing_key_path=signing_files[0],
            signing_cert_path=signing_files[1],
            behaviour={"receipt_delay_ms": [0, 0]},
            receipt_first_backoff_seconds=0.01,
            receipt_workers=4,
        )
        server = SimulatorServer(replace(settings, **overrides)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def simulator(start_simulator: StartSimulator) -> SimulatorServer:
    return start_simulator()
