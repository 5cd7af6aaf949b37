"""The behaviour board: global settings, per-provider overrides, checking, and going back to the start."""

from __future__ import annotations

from typing import Any

import pytest

from app.simulator.behaviour import Behaviour, BehaviourBoard, BehaviourError


def test_board_starts_with_the_defaults() -> None:
    board = BehaviourBoard()

    assert board.for_provider("mmg") == Behaviour(
        error_rate=0.0, latency_ms=0, answer_delay_ms=0, outage=False, no_receipt=False, receipt_delay_ms=(100, 1000)
    )


def test_bare_settings_change_every_provider() -> None:
    board = BehaviourBoard()

    board.update({"latency_ms": 20})

    assert {board.for_provider(provider).latency_ms for provider in ("mmg", "firetext", "ses")} == {20}


def test_provider_setting_overrides_the_global_one() -> None:
    board = BehaviourBoard({"mmg": {"error_rate": 0.5}})

    board.update({"global": {"error_rate": 0.1}})

    assert (board.for_provider("mmg").error_rate, board.for_provider("ses").error_rate) == (0.5, 0.1)


def test_null_setting_drops_a_providers_override() -> None:
    board = BehaviourBoard({"global": {"latency_ms": 7}, "ses": {"latency_ms": 50, "outage": True}})

    board.update({"ses": {"latency_ms": None}})

    assert (board.for_provider("ses").latency_ms, board.for_provider("ses").outage) == (7, True)


def test_null_section_drops_all_of_a_providers_overrides() -> None:
    board = BehaviourBoard({"ses": {"latency_ms": 50, "outage": True}})

    board.update({"ses": None})

    assert board.for_provider("ses") == Behaviour()


def test_reset_goes_back_to_the_start_up_behaviour() -> None:
    board = BehaviourBoard({"no_receipt": True, "firetext": {"outage": True}})
    at_start = board.as_dict()
    board.update({"no_receipt": False, "firetext": None, "mmg": {"latency_ms": 3}})

    board.reset()

    assert board.as_dict() == at_start


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"error_rate": 1.5}, "error_rate must be a number from 0 to 1"),
        ({"error_rate": True}, "error_rate must be a number from 0 to 1"),
        ({"latency_ms": -1}, "latency_ms must be a number of milliseconds, 0 to 600000"),
        ({"answer_delay_ms": 600_001}, "answer_delay_ms must be a number of milliseconds, 0 to 600000"),
        ({"answer_delay_ms": "5"}, "answer_delay_ms must be a number of milliseconds, 0 to 600000"),
        ({"outage": "yes"}, "outage must be true or false"),
        ({"no_receipt": 1}, "no_receipt must be true or false"),
        ({"receipt_delay_ms": [5]}, "receipt_delay_ms must be [min, max] in milliseconds"),
        ({"receipt_delay_ms": [9, 2]}, "receipt_delay_ms must be [min, max] with 0 <= min <= max"),
        ({"sms": {"outage": True}}, "unknown settings: sms"),
        ({"mmg": {"speed": 3}}, "unknown settings: speed"),
        ({"global": {"outage": None}}, "outage cannot be null here"),
        ({"mmg": []}, "each section must be an object of settings"),
        ([], "the configuration must be a JSON object"),
    ],
    ids=[
        "rate-above-one",
        "rate-boolean",
        "negative-latency",
        "answer-delay-too-long",
        "answer-delay-string",
        "outage-string",
        "no-receipt-number",
        "delay-one-bound",
        "delay-reversed",
        "unknown-section",
        "unknown-setting",
        "null-global",
        "section-not-object",
        "not-an-object",
    ],
)
def test_bad_document_is_refused_with_a_reason(document: Any, message: str) -> None:
    board = BehaviourBoard()

    with pytest.raises(BehaviourError) as raised:
        board.update(document)

    assert str(raised.value) == message


def test_bad_document_changes_nothing() -> None:
    board = BehaviourBoard()
    before = board.as_dict()

    with pytest.raises(BehaviourError):
        board.update({"mmg": {"outage": True}, "firetext": {"latency_ms": -5}})

    assert board.as_dict() == before
