"""Apply MMG and Firetext delivery receipts; both name the notification by the id we sent them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.exc import NoResultFound

from app.receipts.apply_receipt import Decide, apply_receipt_outcome
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError
from app.receipts.firetext_codes import decide_firetext_outcome
from app.receipts.mmg_codes import decide_mmg_outcome


def process_mmg_receipt(receipt: Mapping[str, Any]) -> None:
    """Apply an MMG receipt (`CID` = our notification id, `status`, `substatus`).

    Raises ReceiptForUnknownNotificationError (never worth a retry: see its docstring) or InvalidReceiptError.
    """
    notification_id = notification_id_of_sms_receipt(receipt.get("CID"), provider="mmg")
    status, substatus = _text(receipt.get("status")), _text(receipt.get("substatus"))
    _apply(notification_id, lambda _current: decide_mmg_outcome(status, substatus), provider="mmg")


def process_firetext_receipt(receipt: Mapping[str, Any]) -> None:
    """Apply a Firetext receipt (`reference` = our notification id, `status`, optional detailed `code`).

    Raises ReceiptForUnknownNotificationError (never worth a retry: see its docstring) or InvalidReceiptError.
    """
    notification_id = notification_id_of_sms_receipt(receipt.get("reference"), provider="firetext")
    status, code = _text(receipt.get("status")), _text(receipt.get("code")) or None
    _apply(
        notification_id,
        lambda current: decide_firetext_outcome(status, code, current_status=current),
        provider="firetext",
    )


SMS_RECEIPT_PROCESSORS: Mapping[str, Callable[[Mapping[str, Any]], None]] = {
    "mmg": process_mmg_receipt,
    "firetext": process_firetext_receipt,
}


def notification_id_of_sms_receipt(reference: Any, *, provider: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(reference))
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
