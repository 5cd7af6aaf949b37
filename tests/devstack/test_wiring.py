"""Wiring Herald to the simulator (`make run`, `make bench`, the whole-stack tests) trusts the simulator alone."""

from __future__ import annotations

from app.simulator.settings import SimulatorSettings
from devstack.wiring import simulator_wiring


def test_herald_hears_only_the_simulators_sns_topic() -> None:
    wiring = simulator_wiring(api_url="http://127.0.0.1:6011", simulator_port=6030)

    assert (wiring["SNS_TOPIC_ARNS"], wiring["SIMULATOR_SNS_TOPIC_ARN"]) == (SimulatorSettings.sns_topic_arn,) * 2


def test_receipts_need_credentials_the_simulator_is_given_and_no_one_can_guess() -> None:
    first = simulator_wiring(api_url="http://127.0.0.1:6011", simulator_port=6030)
    second = simulator_wiring(api_url="http://127.0.0.1:6011", simulator_port=6030)

    assert (first["RECEIPT_BASIC_AUTH_USERNAME"], first["RECEIPT_BASIC_AUTH_PASSWORD"]) == (
        first["SIMULATOR_RECEIPT_USERNAME"],
        first["SIMULATOR_RECEIPT_PASSWORD"],
    )
    assert len(first["RECEIPT_BASIC_AUTH_PASSWORD"]) >= 32
    assert first["RECEIPT_BASIC_AUTH_PASSWORD"] != second["RECEIPT_BASIC_AUTH_PASSWORD"]
