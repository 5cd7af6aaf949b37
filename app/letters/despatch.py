"""Apply the print provider's despatch confirmation (letters.md §5.5): `DESPATCHED` makes a letter `delivered`,
`REJECTED` a `technical-failure`. The first result wins: a repeated or contradicting confirmation for a letter that
already has one changes nothing (the status machine's guard allows both only from `sending`)."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.exc import NoResultFound

from app.dao.notifications_dao import dao_get_notification_by_id
from app.notification_status import NotificationStatus
from app.status_changes import ChangeLog, change_status

logger = logging.getLogger(__name__)

DESPATCHED = "DESPATCHED"
REJECTED = "REJECTED"
STATUS_OF_JOB = {DESPATCHED: NotificationStatus.DELIVERED, REJECTED: NotificationStatus.TECHNICAL_FAILURE}


def apply_despatch_confirmation(
    notification_id: uuid.UUID | str, job_status: str, *, total_sheets: str | None = None
) -> None:
    """Move the letter on; logs (and changes nothing) when it is unknown or already has its result."""
    status = STATUS_OF_JOB[job_status]
    fields = {"notification_id": str(notification_id), "provider": "dvla"}
    log = ChangeLog(
        "Letter %s %s by the print provider",
        (notification_id, job_status.lower()),
        level=logging.INFO if status == NotificationStatus.DELIVERED else logging.ERROR,
        fields=fields,
    )
    updated = change_status(notification_id, status, only_from=[NotificationStatus.SENDING], log=log)
    if updated is None:
        _log_ignored(notification_id, job_status, fields)
        return
    if total_sheets is not None and total_sheets != str(updated.billable_units):
        logger.warning(
            "Letter %s printed on %s sheets, billed for %s",
            notification_id,
            total_sheets,
            updated.billable_units,
            extra={**fields, "billable_units": updated.billable_units},
        )


def _log_ignored(notification_id: uuid.UUID | str, job_status: str, fields: dict[str, str]) -> None:
    try:
        current = dao_get_notification_by_id(notification_id).status
    except NoResultFound:
        current = "unknown"  # never sent by us, or purged by retention
    logger.warning(
        "Despatch confirmation %s for letter %s ignored: it is %s",
        job_status,
        notification_id,
        current,
        extra={**fields, "notification_status": current},
    )
