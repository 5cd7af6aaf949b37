"""MMG receipt codes: every status and substatus row of the map."""

from __future__ import annotations

import pytest

from app.notification_status import NotificationStatus
from app.receipts.mmg_codes import MMG_SUBSTATUS_REASONS, decide_mmg_outcome
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError

S = NotificationStatus
STATUS_FOR_MMG_STATUS = {"2": S.PERMANENT_FAILURE, "3": S.DELIVERED, "4": S.TEMPORARY_FAILURE, "5": S.PERMANENT_FAILURE}


@pytest.mark.parametrize(
    ("status", "expected"),
    sorted(STATUS_FOR_MMG_STATUS.items()),
    ids=["2-permanent-failure", "3-delivered", "4-temporary-failure", "5-permanent-failure"],
)
def test_mmg_status_without_a_substatus_maps_to(status: str, expected: S) -> None:
    assert decide_mmg_outcome(status, None) == ReceiptOutcome(expected)


@pytest.mark.parametrize(
    ("status", "substatus", "reason"),
    [(status, substatus, reason) for (status, substatus), reason in MMG_SUBSTATUS_REASONS.items()],
    ids=[f"{status}.{substatus}" for status, substatus in MMG_SUBSTATUS_REASONS],
)
def test_mmg_substatus_explains_the_status_without_changing_it(status: str, substatus: str, reason: str) -> None:
    assert decide_mmg_outcome(status, substatus) == ReceiptOutcome(STATUS_FOR_MMG_STATUS[status], reason)


def test_mmg_substatus_table_has_every_documented_row() -> None:
    assert len(MMG_SUBSTATUS_REASONS) == 10 + 2 + 7 + 14


@pytest.mark.parametrize("status", ["0", "1", "6", "99", ""], ids=lambda status: f"status-{status or 'empty'}")
def test_mmg_other_status_is_unrecognised(status: str) -> None:
    with pytest.raises(UnrecognisedProviderStatusError) as raised:
        decide_mmg_outcome(status, "1")

    assert raised.value.status == status
