"""Firetext receipt codes: every row of the map, the detailed codes and the pending rule."""

from __future__ import annotations

import pytest

from app.notification_status import NotificationStatus
from app.receipts.firetext_codes import FIRETEXT_DETAILED_CODES, decide_firetext_outcome
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

S = NotificationStatus


@pytest.mark.parametrize(
    ("status", "current_status", "expected"),
    [
        ("0", S.SENDING, S.DELIVERED),
        ("0", S.PENDING, S.DELIVERED),
        ("1", S.SENDING, S.PERMANENT_FAILURE),
        ("1", S.PENDING, S.TEMPORARY_FAILURE),
        ("2", S.SENDING, S.PENDING),
    ],
    ids=[
        "0-delivered",
        "0-delivered-after-pending",
        "1-declined-straight-away-is-permanent",
        "1-declined-after-pending-is-temporary",
        "2-pending",
    ],
)
def test_firetext_status_without_a_code_maps_to(status: str, current_status: S, expected: S) -> None:
    assert decide_firetext_outcome(status, None, current_status=current_status) == ReceiptOutcome(expected)


@pytest.mark.parametrize(
    ("code", "expected_status", "expected_reason"),
    [
        ("000", S.TEMPORARY_FAILURE, "No error reported"),
        ("101", S.PERMANENT_FAILURE, "Unknown Subscriber"),
        ("102", S.TEMPORARY_FAILURE, "Absent Subscriber"),
        ("103", S.TEMPORARY_FAILURE, "Subscriber Busy"),
        ("104", S.TEMPORARY_FAILURE, "No Subscriber Memory"),
        ("201", S.PERMANENT_FAILURE, "Invalid Number"),
        ("301", S.PERMANENT_FAILURE, "SMS Not Supported"),
        ("302", S.TEMPORARY_FAILURE, "SMS Not Supported"),
        ("401", S.PERMANENT_FAILURE, "Message Rejected"),
        ("900", S.TEMPORARY_FAILURE, "Routing Error"),
    ],
    ids=lambda value: str(value),
)
@pytest.mark.parametrize("current_status", [S.SENDING, S.PENDING], ids=["from-sending", "from-pending"])
def test_firetext_detailed_code_decides_a_decline_before_the_pending_rule(
    code: str, expected_status: S, expected_reason: str, current_status: S
) -> None:
    outcome = decide_firetext_outcome("1", code, current_status=current_status)

    assert outcome == ReceiptOutcome(expected_status, expected_reason)


def test_firetext_detailed_code_table_has_exactly_the_documented_codes() -> None:
    assert sorted(FIRETEXT_DETAILED_CODES) == ["000", "101", "102", "103", "104", "201", "301", "302", "401", "900"]


@pytest.mark.parametrize(
    ("current_status", "expected"),
    [(S.SENDING, S.PERMANENT_FAILURE), (S.PENDING, S.TEMPORARY_FAILURE)],
    ids=["from-sending", "from-pending"],
)
def test_firetext_unknown_detailed_code_falls_back_to_the_pending_rule(current_status: S, expected: S) -> None:
    assert decide_firetext_outcome("1", "555", current_status=current_status) == ReceiptOutcome(expected)


def test_firetext_detailed_code_does_not_change_a_delivered_status() -> None:
    assert decide_firetext_outcome("0", "101", current_status=S.SENDING) == ReceiptOutcome(S.DELIVERED)


def test_firetext_unknown_status_is_unrecognised() -> None:
    with pytest.raises(UnrecognisedProviderStatusError) as raised:
        decide_firetext_outcome("7", None, current_status=S.SENDING)

    assert str(raised.value) == "Firetext callback failed: status 7 not found."
