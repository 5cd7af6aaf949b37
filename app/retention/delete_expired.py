"""The nightly clear-out: notifications, inbound messages and job files past each service's retention.

A service keeps personal data for `data_retention_days` (default 7) whole UTC days before today: run on the 10th
with 7 days, it removes what was created before the 3rd. Notifications of every status move to
`notification_history` without personal data (the delivery timeout has made anything still unfinished final long
before), except letters still waiting for their PDF or the printer; test-key notifications are deleted. A letter's
PDF is deleted with it. Jobs are archived and their stored rows dropped. Everything goes in
batches of RETENTION_BATCH_SIZE, one short transaction each.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from flask import current_app

from app.clock import utc_now
from app.dao.inbound_sms_dao import dao_delete_inbound_sms_created_before
from app.dao.jobs_dao import dao_archive_jobs_created_before
from app.dao.notification_history_dao import (
    dao_delete_status_events_changed_before,
    dao_delete_test_notifications,
    dao_list_letter_files_past_retention,
    dao_move_notifications_to_history,
)
from app.dao.services_dao import dao_list_service_retention_days
from app.letters.pdf_store import LetterFile, LetterPdfStoreError, letter_pdf_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationsRemoved:
    moved_to_history: int
    test_notifications_deleted: int


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Midnight UTC ``retention_days`` days before today: what was created before it is past retention."""
    today = now.astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=retention_days), datetime.min.time(), tzinfo=UTC)


def delete_notifications_older_than_retention() -> NotificationsRemoved:
    """Move every service's notifications past retention into history; delete its test-key ones."""
    moved = deleted = 0
    now = utc_now()
    for service_id, retention_days in dao_list_service_retention_days():
        created_before = retention_cutoff(now, retention_days)
        delete_letter_pdfs_past_retention(service_id, created_before=created_before)
        moved += _in_batches(partial(dao_move_notifications_to_history, service_id, created_before=created_before))
        deleted += _in_batches(partial(dao_delete_test_notifications, service_id, created_before=created_before))
    logger.info(
        "Moved %s notifications to history and deleted %s test notifications",
        moved,
        deleted,
        extra={"notification_count": moved + deleted},
    )
    return NotificationsRemoved(moved_to_history=moved, test_notifications_deleted=deleted)


def delete_status_events_older_than_search_window() -> int:
    """Delete status events older than SUPPORT_SEARCH_HISTORY_DAYS (no search reaches them); return how many."""
    changed_before = utc_now() - timedelta(days=current_app.config["SUPPORT_SEARCH_HISTORY_DAYS"])
    deleted = _in_batches(partial(dao_delete_status_events_changed_before, changed_before))
    logger.info("Deleted %s notification status events past the search window", deleted, extra={"event_count": deleted})
    return deleted


def delete_letter_pdfs_past_retention(service_id: uuid.UUID, *, created_before: datetime) -> int:
    """Delete the PDFs of the service's letters the purge is about to remove (after it, GET .../pdf is a 404). A PDF
    the store cannot delete is logged and left: the rows still go."""
    store = letter_pdf_store(current_app.config)
    deleted = 0
    for reference, postage, created_at, key_type in dao_list_letter_files_past_retention(
        service_id, created_before=created_before
    ):
        if not reference:
            continue
        try:
            store.delete(LetterFile(reference, postage or "second", created_at, key_type).name)
        except LetterPdfStoreError:
            logger.warning("Could not delete a letter PDF past retention", extra={"service_id": str(service_id)})
            continue
        deleted += 1
    return deleted


def delete_inbound_sms_older_than_retention() -> int:
    """Delete every service's inbound text messages past its retention; return how many."""
    now = utc_now()
    deleted = sum(
        _in_batches(
            partial(dao_delete_inbound_sms_created_before, service_id, created_before=retention_cutoff(now, days))
        )
        for service_id, days in dao_list_service_retention_days()
    )
    logger.info("Deleted %s inbound text messages past retention", deleted, extra={"inbound_sms_count": deleted})
    return deleted


def archive_jobs_older_than_retention() -> int:
    """Archive every service's finished jobs past retention, dropping their stored rows; return how many."""
    now = utc_now()
    archived = sum(
        dao_archive_jobs_created_before(service_id, created_before=retention_cutoff(now, days), now=now)
        for service_id, days in dao_list_service_retention_days()
    )
    logger.info("Archived %s jobs past retention", archived, extra={"job_count": archived})
    return archived


def _in_batches(remove: Callable[..., int]) -> int:
    """Call ``remove(limit=RETENTION_BATCH_SIZE)`` until a batch comes back short; return the total removed."""
    batch_size = current_app.config["RETENTION_BATCH_SIZE"]
    total = 0
    while True:
        removed = remove(limit=batch_size)
        total += removed
        if removed < batch_size:
            return total
