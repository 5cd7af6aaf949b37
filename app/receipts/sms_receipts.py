"""Apply MMG and Firetext delivery receipts; both name the notification by the id we sent them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.exc import NoResultFound

from app.receipts.apply_receipt import Decide, PlannedReceipt, apply_receipt_batch, apply_receipt_outcome
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError
from app.receipts.firetext_codes import decide_firetext_outcome
from app.receipts.mmg_codes import decide_mmg_outcome


def process_mmg_receipt(receipt: Mapping[str, Any]) -> None:
    """Apply an MMG receipt as queued (`CID` = our notification id, `status`, `substatus`).

    Raises ReceiptForUnknownNotificationError (never worth a retry: see its docstring) or InvalidReceiptError.
    """
    apply_mmg_receipt(notification_id_of_sms_receipt(receipt, provider="mmg"), receipt)


def process_firetext_receipt(receipt: Mapping[str, Any]) -> None:
    """Apply a Firetext receipt as queued (`reference` = our notification id, `status`, optional detailed `code`).

    Raises as process_mmg_receipt does.
    """
    apply_firetext_receipt(notification_id_of_sms_receipt(receipt, provider="firetext"), receipt)


def apply_mmg_receipt(notification_id: uuid.UUID, receipt: Mapping[str, Any]) -> None:
    """Apply an MMG receipt whose `CID` has already been parsed into ``notification_id``; raises as
    process_mmg_receipt does."""
    _apply(notification_id, _mmg_decision(receipt), provider="mmg")


def apply_firetext_receipt(notification_id: uuid.UUID, receipt: Mapping[str, Any]) -> None:
    """Apply a Firetext receipt whose `reference` has already been parsed into ``notification_id``; raises as
    process_mmg_receipt does."""
    _apply(notification_id, _firetext_decision(receipt), provider="firetext")


def _mmg_decision(receipt: Mapping[str, Any]) -> Decide:
    status, substatus = _text(receipt.get("status")), _text(receipt.get("substatus"))
    return lambda _current: decide_mmg_outcome(status, substatus)


def _firetext_decision(receipt: Mapping[str, Any]) -> Decide:
    status, code = _text(receipt.get("status")), _text(receipt.get("code")) or None
    return lambda current: decide_firetext_outcome(status, code, current_status=current)


_DECISIONS: Mapping[str, Callable[[Mapping[str, Any]], Decide]] = {"mmg": _mmg_decision, "firetext": _firetext_decision}


def process_sms_receipt_batch(provider: str, receipts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Apply a batch of one SMS ``provider``'s receipts as queued, in one statement (see apply_receipt_batch).

    Returns, in order, the receipts it did not apply, for SMS_RECEIPT_PROCESSORS to apply one by one: it alone tells a
    duplicate or late receipt (logged) from one for a notification Herald does not have or a malformed one (raised).
    """
    decision = _DECISIONS[provider]

    def plan(receipt: Mapping[str, Any]) -> PlannedReceipt | None:
        try:
            notification_id = notification_id_of_sms_receipt(receipt, provider=provider)
        except InvalidReceiptError:
            return None
        return PlannedReceipt(notification_id, decision(receipt))

    return apply_receipt_batch(receipts, plan, provider=provider, match_on="id")


# The field in which each provider names the notification: the reference Herald sent it, our notification id.
SMS_RECEIPT_REFERENCE_FIELDS: Mapping[str, str] = {"mmg": "CID", "firetext": "reference"}

# A receipt as the endpoint queued it (the reference still to parse): what the receipt task runs.
SMS_RECEIPT_PROCESSORS: Mapping[str, Callable[[Mapping[str, Any]], None]] = {
    "mmg": process_mmg_receipt,
    "firetext": process_firetext_receipt,
}

# A receipt whose reference the endpoint has parsed: what the endpoint runs when it applies a receipt at once.
SMS_RECEIPT_APPLIERS: Mapping[str, Callable[[uuid.UUID, Mapping[str, Any]], None]] = {
    "mmg": apply_mmg_receipt,
    "firetext": apply_firetext_receipt,
}


def notification_id_of_sms_receipt(receipt: Mapping[str, Any], *, provider: str) -> uuid.UUID:
    """The notification id a ``provider`` receipt names; the one place its reference is parsed. Raises
    InvalidReceiptError when it is missing or not a UUID."""
    try:
        return uuid.UUID(str(receipt.get(SMS_RECEIPT_REFERENCE_FIELDS[provider])))
    except ValueError as error:
        raise InvalidReceiptError(f"{provider} receipt reference is not a notification id") from error


def _apply(notification_id: uuid.UUID, decide: Decide, *, provider: str) -> None:
    """Apply without reading the notification first (see apply_receipt_outcome)."""
    try:
        apply_receipt_outcome(notification_id, decide, provider=provider)
    except NoResultFound as error:
        raise ReceiptForUnknownNotificationError(provider, str(notification_id)) from error


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()
