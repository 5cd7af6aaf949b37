"""Magic recipients: which numbers and addresses fail, and how."""

from __future__ import annotations

import pytest

from app.simulator.recipients import Outcome, email_outcome, sms_outcome


@pytest.mark.parametrize(
    ("phone_number", "outcome"),
    [
        ("447700900003", Outcome.TEMPORARY_FAILURE),
        ("+44 7700 900003", Outcome.TEMPORARY_FAILURE),
        ("07700900003", Outcome.TEMPORARY_FAILURE),
        ("447700900002", Outcome.PERMANENT_FAILURE),
        ("447700900123", Outcome.DELIVERED),
        ("447700900033", Outcome.DELIVERED),
    ],
    ids=["temporary", "temporary-formatted", "temporary-national", "permanent", "other", "similar-ending"],
)
def test_number_decides_the_outcome(phone_number: str, outcome: Outcome) -> None:
    assert sms_outcome(phone_number) == outcome


@pytest.mark.parametrize(
    ("address", "outcome"),
    [
        ("temp-fail@simulator.notify", Outcome.TEMPORARY_FAILURE),
        ("Perm-Fail@Simulator.Notify", Outcome.PERMANENT_FAILURE),
        ("someone@example.com", Outcome.DELIVERED),
        ("temp-fail@simulator.notify.example", Outcome.DELIVERED),
    ],
    ids=["temporary", "permanent-any-case", "other", "lookalike"],
)
def test_address_decides_the_outcome(address: str, outcome: Outcome) -> None:
    assert email_outcome(address) == outcome
