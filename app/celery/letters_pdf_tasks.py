"""The letter PDF task: make a templated letter's PDF (Notify's `get-pdf-for-templated-letter`).

A store that cannot be reached is retried 15 times, 5 minutes apart, then the letter is a `technical-failure`.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from sqlalchemy.exc import NoResultFound

from app.celery.queues import QueueNames, TaskNames
from app.letters.create_pdf import create_letter_pdf, fail_letter_pdf
from app.letters.pdf_store import LetterPdfStoreError
from app.statsd_decorators import statsd

logger = logging.getLogger(__name__)

MAX_PDF_RETRIES = 15
PDF_RETRY_COUNTDOWN_SECONDS = 300


@shared_task(bind=True, name=TaskNames.CREATE_LETTERS_PDF, max_retries=MAX_PDF_RETRIES)
@statsd(namespace="tasks")
def get_pdf_for_templated_letter(self: Task, notification_id: str) -> None:
    try:
        create_letter_pdf(notification_id)
    except NoResultFound:
        logger.warning("Letter %s not found: no PDF made", notification_id, extra={"notification_id": notification_id})
    except LetterPdfStoreError as error:
        if self.request.retries >= MAX_PDF_RETRIES:
            fail_letter_pdf(notification_id)
            return
        raise self.retry(
            exc=error, countdown=PDF_RETRY_COUNTDOWN_SECONDS, queue=QueueNames.CREATE_LETTERS_PDF
        ) from error
