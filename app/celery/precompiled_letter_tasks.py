"""Precompiled letter tasks (Notify's names): `scan-file` (the virus scan), `sanitise-letter` (the PDF checks), and
the safety net that queues the scan again for letters left `pending-virus-check` (a worker died, a lost message).

A scanner that cannot answer is retried 5 times, 5 minutes apart; a store that cannot answer, 15 times. After that
the letter is a `technical-failure`. Each task acts only on a letter still `pending-virus-check`, so a repeated
message does nothing twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from sqlalchemy.exc import NoResultFound

from app.celery.queues import QueueNames, TaskNames
from app.clients.antivirus.clamd import VirusScanError
from app.clock import utc_now
from app.dao.precompiled_letters_dao import dao_list_pending_virus_check_letter_ids
from app.letters.pdf_store import LetterPdfStoreError
from app.letters.precompiled_pipeline import (
    fail_precompiled_letter,
    sanitise_precompiled_letter,
    scan_precompiled_letter,
)
from app.letters.queueing import enqueue_virus_scan_task
from app.statsd_decorators import statsd

logger = logging.getLogger(__name__)

MAX_SCAN_RETRIES = 5
MAX_SANITISE_RETRIES = 15
RETRY_COUNTDOWN_SECONDS = 300
# Letters waiting longer than this for their scan are queued again, up to RESCAN_WINDOW old, RESCAN_BATCH at a time.
RESCAN_AFTER = timedelta(minutes=10)
RESCAN_WINDOW = timedelta(days=3)
RESCAN_BATCH = 1000


@shared_task(bind=True, name=TaskNames.SCAN_FILE, max_retries=MAX_SCAN_RETRIES)
@statsd(namespace="tasks")
def scan_file(self: Task, notification_id: str) -> None:
    try:
        scan_precompiled_letter(notification_id)
    except NoResultFound:
        logger.warning("Letter %s not found: not scanned", notification_id, extra={"notification_id": notification_id})
    except (VirusScanError, LetterPdfStoreError) as error:
        if self.request.retries >= MAX_SCAN_RETRIES:
            fail_precompiled_letter(notification_id, f"its virus scan could not be done ({type(error).__name__})")
            return
        raise self.retry(exc=error, countdown=RETRY_COUNTDOWN_SECONDS, queue=QueueNames.ANTIVIRUS) from error


@shared_task(bind=True, name=TaskNames.SANITISE_LETTER, max_retries=MAX_SANITISE_RETRIES)
@statsd(namespace="tasks")
def sanitise_letter(self: Task, notification_id: str) -> None:
    try:
        sanitise_precompiled_letter(notification_id)
    except NoResultFound:
        logger.warning("Letter %s not found: not checked", notification_id, extra={"notification_id": notification_id})
    except LetterPdfStoreError as error:
        if self.request.retries >= MAX_SANITISE_RETRIES:
            fail_precompiled_letter(notification_id, "its PDF could not be read or stored")
            return
        raise self.retry(exc=error, countdown=RETRY_COUNTDOWN_SECONDS, queue=QueueNames.SANITISE_LETTERS) from error


@shared_task(name=TaskNames.RESCAN_PENDING_PRECOMPILED_LETTERS)
@statsd(namespace="tasks")
def rescan_pending_precompiled_letters() -> int:
    now = utc_now()
    letter_ids = dao_list_pending_virus_check_letter_ids(
        created_before=now - RESCAN_AFTER, created_after=now - RESCAN_WINDOW, limit=RESCAN_BATCH
    )
    for letter_id in letter_ids:
        enqueue_virus_scan_task(letter_id)
    if letter_ids:
        logger.warning("Queued %s letters pending their virus scan again", len(letter_ids))
    return len(letter_ids)
