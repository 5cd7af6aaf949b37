"""The status machine's table: every transition, allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from app.notification_status import (
    FINAL_STATUSES,
    NotificationStatus,
    is_final,
    is_receipt_transition_allowed,
    is_transition_allowed,
)

S = NotificationStatus
ALLOWED_TRANSITIONS = {
    (S.CREATED, S.SENDING),
    (S.CREATED, S.SENT),
    (S.CREATED, S.PERMANENT_FAILURE),
    (S.CREATED, S.TECHNICAL_FAILURE),
    (S.SENDING, S.CREATED),
    (S.SENDING, S.SENT),
    (S.SENDING, S.PENDING),
    (S.SENDING, S.DELIVERED),
    (S.SENDING, S.PERMANENT_FAILURE),
    (S.SENDING, S.TEMPORARY_FAILURE),
    (S.SENDING, S.TECHNICAL_FAILURE),
    (S.PENDING, S.DELIVERED),
    (S.PENDING, S.PERMANENT_FAILURE),
    (S.PENDING, S.TEMPORARY_FAILURE),
    (S.PENDING, S.TECHNICAL_FAILURE),
    # Letters (letters.md §3.3, §5.2, §5.3, §5.6)
    (S.PENDING_VIRUS_CHECK, S.CREATED),
    (S.PENDING_VIRUS_CHECK, S.DELIVERED),
    (S.PENDING_VIRUS_CHECK, S.TECHNICAL_FAILURE),
    (S.PENDING_VIRUS_CHECK, S.CANCELLED),
    (S.PENDING_VIRUS_CHECK, S.VALIDATION_FAILED),
    (S.PENDING_VIRUS_CHECK, S.VIRUS_SCAN_FAILED),
    (S.CREATED, S.CANCELLED),
    (S.CREATED, S.VALIDATION_FAILED),
    (S.SENDING, S.RETURNED_LETTER),
    (S.DELIVERED, S.RETURNED_LETTER),
}
# The one move out of a final status: Royal Mail reports a despatched (delivered) letter returned.
LEAVES_A_FINAL_STATUS = {(S.DELIVERED, S.RETURNED_LETTER)}
EVERY_TRANSITION = list(itertools.product(S, S))


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in EVERY_TRANSITION if pair in ALLOWED_TRANSITIONS],
    ids=lambda status: str(status),
)
def test_transition_is_allowed(current: NotificationStatus, target: NotificationStatus) -> None:
    assert is_transition_allowed(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in EVERY_TRANSITION if pair not in ALLOWED_TRANSITIONS],
    ids=lambda status: str(status),
)
def test_transition_is_refused(current: NotificationStatus, target: NotificationStatus) -> None:
    assert not is_transition_allowed(current, target)


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES), ids=str)
def test_no_transition_leaves_a_final_status(status: NotificationStatus) -> None:
    assert not any(
        is_transition_allowed(status, target) for target in S if (status, target) not in LEAVES_A_FINAL_STATUS
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [(status, status not in (S.CREATED, S.SENDING, S.PENDING, S.PENDING_VIRUS_CHECK)) for status in S],
    ids=str,
)
def test_is_final_is_true_only_after_a_notification_left_the_provider(
    status: NotificationStatus, expected: bool
) -> None:
    assert is_final(status) is expected


RECEIPT_TRANSITIONS = {
    # A handed-back claim whose send may have been taken: as from `sending`.
    (S.CREATED, S.PENDING),
    (S.CREATED, S.DELIVERED),
    (S.CREATED, S.PERMANENT_FAILURE),
    (S.CREATED, S.TEMPORARY_FAILURE),
    (S.CREATED, S.TECHNICAL_FAILURE),
    (S.CREATED, S.SENT),
    *((current, target) for current, target in ALLOWED_TRANSITIONS if current in (S.SENDING, S.PENDING)),
} - {
    (S.SENDING, S.CREATED),  # handing a claim back is the worker's move, never a receipt's
    (S.SENDING, S.RETURNED_LETTER),  # a letter outcome, never a provider receipt's
}


@pytest.mark.parametrize(("current", "target"), EVERY_TRANSITION, ids=lambda status: str(status))
def test_a_receipt_moves_a_notification_only_out_of_sending_pending_or_a_handed_back_claim(
    current: NotificationStatus, target: NotificationStatus
) -> None:
    assert is_receipt_transition_allowed(current, target) is ((current, target) in RECEIPT_TRANSITIONS)
