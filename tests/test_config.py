"""Settings read from the environment: bounded ones refuse values outside their range at start."""

from __future__ import annotations

import pytest

from config import load_config


@pytest.mark.parametrize("value", ["-1", "301"], ids=["negative", "beyond-the-retry-countdown"])
def test_a_receipt_wait_outside_0_to_300_seconds_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS", value)

    with pytest.raises(RuntimeError) as raised:
        load_config("test")

    assert str(raised.value) == f"AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS must be from 0 to 300, not {value}"


def test_the_receipt_wait_defaults_to_three_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS", raising=False)

    assert load_config("test")["AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS"] == 180
