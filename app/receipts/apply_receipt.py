"""Decide a receipt's outcome for the notification's current status and apply it through `status_changes.py`.

Each applied receipt counts `callback.<provider>.<status>`; a final one also times `callback.<provider>.elapsed-time`,
from handing the notification to the provider (sent_at) to applying the receipt. Duplicate and late receipts change
nothing and count nothing.

A receipt may find the notification `created`: its last send got no answer and its claim was handed back to wait
for this very receipt (`delivery/claims.py`). It is applied as from `sending` when that send recorded the reference
receipts carry, so the retry finds the notification no longer `created` and never sends it again.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.dao.notification_status_dao import AppliedReceiptMove, ReceiptKey, ReceiptMove
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import RECEIPT_UPDATABLE_STATUSES, NotificationStatus, is_receipt_transition_allowed
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError
from app.status_changes import ChangeLog, apply_status_by_receipt, change_statuses_by_receipts

logger = logging.getLogger(__name__)

# A receipt's first UPDATE may guess the status wrong; after that it can lose the compare-and-set at most three times
# to a status it may still update from (sending -> created -> sending -> pending -> final).
_MAX_ATTEMPTS = 5

Decide = Callable[[str], ReceiptOutcome]
R = TypeVar("R")


def apply_receipt_outcome(
    notification_id: uuid.UUID, decide: Decide, *, provider: str, current: str = NotificationStatus.SENDING
) -> bool:
    """Move the notification to the status ``decide`` gives for its current status; changes nothing once it is final.

    ``decide`` sees the status the UPDATE is guarded on (compare-and-set), so a rule such as Firetext's "declined after
    pending is temporary" always judges the status it replaces. ``current`` is the status read with the notification,
    or, by default, the one a receipt almost always finds (`sending`): then the first UPDATE is tried without reading
    the row, and only when it finds another status is the status read. Returns whether it changed the status (False for
    a duplicate or late receipt, logged as a warning). Raises NoResultFound when there is no such notification.
    """
    decide = _technical_failure_when_unrecognised(decide)
    for _ in range(_MAX_ATTEMPTS):
        if current not in RECEIPT_UPDATABLE_STATUSES:
            break
        outcome = decide(current)
        if not is_receipt_transition_allowed(current, outcome.status):
            break  # e.g. a second `pending`: nothing to write
        log = _change_log(outcome, notification_id=notification_id, previous=current, provider=provider)
        if apply_status_by_receipt(notification_id, outcome.status, current=current, provider=provider, log=log):
            return True
        previous, current = current, dao_get_notification_status_by_id(notification_id)
        if previous == current == NotificationStatus.CREATED:
            break  # `created` with no send that may have been taken: no receipt can be for it yet
    logger.warning(
        "Duplicate or late %s receipt for notification %s: it stays %s",
        provider,
        notification_id,
        current,
        extra={"notification_id": notification_id, "provider": provider, "notification_status": current},
    )
    return False


@dataclass(frozen=True)
class PlannedReceipt:
    """A receipt ready for apply_receipt_outcomes: the notification it names (by id, or by the reference its provider
    knows it by) and how it decides the outcome for the status it finds."""

    key: uuid.UUID | str
    decide: Decide


def apply_receipt_batch(
    receipts: Sequence[R], plan: Callable[[R], PlannedReceipt | None], *, provider: str, match_on: ReceiptKey
) -> list[R]:
    """Apply what ``plan`` makes of each receipt with apply_receipt_outcomes; returns, in order, the receipts left for
    the one-receipt path: those ``plan`` gave None for (a malformed receipt, one that changes no status) and those
    the batch did not apply."""
    plans = [(position, plan(receipt)) for position, receipt in enumerate(receipts)]
    offered = [(position, planned) for position, planned in plans if planned is not None]
    not_applied = apply_receipt_outcomes([planned for _, planned in offered], provider=provider, match_on=match_on)
    left = {position for position, planned in plans if planned is None} | {offered[i][0] for i in not_applied}
    return [receipts[position] for position in sorted(left)]


def apply_receipt_outcomes(receipts: Sequence[PlannedReceipt], *, provider: str, match_on: ReceiptKey) -> list[int]:
    """Apply a batch of receipts in one guarded statement, each exactly as apply_receipt_outcome would apply it alone.

    Each receipt is offered for every status it may find its notification in (decided for that status, so a rule
    that judges the status it replaces still does), and the statement keeps the move from the status the row is in.
    A second receipt for the same notification waits for the next statement, so receipts for one notification apply
    in the order given (one statement per batch unless it repeats a notification). Returns, in order, the positions
    (indexes into ``receipts``) of those the statement did not apply, with every later receipt for the same
    notification: the caller hands each to the one-receipt path, which tells a duplicate or late receipt from one
    whose notification is missing or not sent yet, as it always has.
    """
    waiting: dict[uuid.UUID | str, deque[int]] = {}
    for position, receipt in enumerate(receipts):
        waiting.setdefault(receipt.key, deque()).append(position)
    not_applied: list[int] = []
    while waiting:
        turn = [positions.popleft() for positions in waiting.values()]
        applied = _apply_one_statement(receipts, turn, provider=provider, match_on=match_on)
        for position in turn:
            key = receipts[position].key
            if position not in applied:
                not_applied.extend([position, *waiting.pop(key)])
            elif not waiting[key]:
                del waiting[key]
    return sorted(not_applied)


def _apply_one_statement(
    receipts: Sequence[PlannedReceipt], positions: Sequence[int], *, provider: str, match_on: ReceiptKey
) -> set[int]:
    """Apply the receipts at ``positions`` (one per notification) in one statement; returns the positions applied."""
    moves: list[ReceiptMove] = []
    outcomes: dict[tuple[int, str], ReceiptOutcome] = {}
    for position in positions:
        receipt = receipts[position]
        decide = _technical_failure_when_unrecognised(receipt.decide)
        for current in sorted(RECEIPT_UPDATABLE_STATUSES):
            outcome = decide(current)
            if not is_receipt_transition_allowed(current, outcome.status):
                continue
            moves.append(ReceiptMove(position, receipt.key, current, outcome.status))
            outcomes[(position, current)] = outcome

    def log_for(move: AppliedReceiptMove) -> ChangeLog:
        outcome = outcomes[(move.position, move.previous)]
        return _change_log(outcome, notification_id=move.notification.id, previous=move.previous, provider=provider)

    applied = change_statuses_by_receipts(moves, log_for, match_on=match_on, provider=provider)
    return {move.position for move in applied}


def _technical_failure_when_unrecognised(decide: Decide) -> Decide:
    """A status code in none of the provider's maps makes the notification `technical-failure` (logged as an error
    once the change is made: a guess at the current status may run ``decide`` for a receipt that changes nothing)."""

    def decide_or_fail(current: str) -> ReceiptOutcome:
        try:
            return decide(current)
        except UnrecognisedProviderStatusError as error:
            return ReceiptOutcome(NotificationStatus.TECHNICAL_FAILURE, str(error))

    return decide_or_fail


def _change_log(outcome: ReceiptOutcome, *, notification_id: uuid.UUID, previous: str, provider: str) -> ChangeLog:
    fields = {"provider": provider}
    if outcome.status == NotificationStatus.TECHNICAL_FAILURE:  # only an unrecognised status code leads here
        return ChangeLog(
            "%s; notification %s is now technical-failure",
            (outcome.reason, notification_id),
            level=logging.ERROR,
            fields=fields,
        )
    return ChangeLog(
        "%s receipt moved notification %s from %s to %s (%s)",
        (provider, notification_id, previous, outcome.status, outcome.reason or "no reason given"),
        fields=fields,
    )
