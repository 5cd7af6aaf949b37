"""Apply the print provider's despatch confirmation (letters.md §5.5): `DESPATCHED` makes a letter `delivered`,
`REJECTED` a `technical-failure`. The first result wins: a repeated or contradicting confirmation for a letter that
already has one changes nothing.

A letter may still be `created` when its confirmation comes: its send got no answer (a timeout, a 5xx), so the claim
was handed back for a retry, yet the provider had taken it. The confirmation is applied as a receipt is to an SMS in
that state (`status_changes.change_status_by_receipt`), so the retry finds it no longer `created` and stops.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.exc import NoResultFound

from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status_by_receipt

logger = logging.getLogger(__name__)

PROVIDER = "dvla"
DESPATCHED = "DESPATCHED"
REJECTED = "REJECTED"
STATUS_OF_JOB = {DESPATCHED: NotificationStatus.DELIVERED, REJECTED: NotificationStatus.TECHNICAL_FAILURE}
AWAITING_CONFIRMATION = (NotificationStatus.SENDING, NotificationStatus.CREATED)


def apply_despatch_confirmation(
    notification_id: uuid.UUID | str, job_status: str, *, total_sheets: str | None = None
) -> None:
    """Move the letter on; logs (and changes nothing) when it is unknown or already has its result."""
    status = STATUS_OF_JOB[job_status]
    fields = {"notification_id": str(notification_id), "provider": PROVIDER}
    try:
        current = dao_get_notification_status_by_id(notification_id)
    except NoResultFound:
        _log_ignored(notification_id, job_status, "unknown", fields)
        return
    log = ChangeLog(
        "Letter %s %s by the print provider",
        (notification_id, job_status.lower()),
        level=logging.INFO if status == NotificationStatus.DELIVERED else logging.ERROR,
        fields=fields,
    )
    updated = None
    if current in AWAITING_CONFIRMATION:
        updated = change_status_by_receipt(
            uuid.UUID(str(notification_id)), status, current=current, provider=PROVIDER, log=log
        )
    if updated is None:
        _log_ignored(notification_id, job_status, current, fields)
        return
    if total_sheets is not None and total_sheets != str(updated.billable_units):
        logger.warning(
            "Letter %s printed on %s sheets, billed for %s",
            notification_id,
            total_sheets,
            updated.billable_units,
            extra={**fields, "billable_units": updated.billable_units},
        )


def _log_ignored(notification_id: uuid.UUID | str, job_status: str, current: str, fields: dict[str, str]) -> None:
    logger.warning(
        "Despatch confirmation %s for letter %s ignored: it is %s",
        job_status,
        notification_id,
        current,
        extra={**fields, "notification_status": current},
    )
