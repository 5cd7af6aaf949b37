"""The print tasks: the daily print run, handing one letter to the print provider, applying its despatch
confirmation, and marking the letters Royal Mail returned.

`deliver_letter` retries a provider failure up to 55 times, 3 minutes apart (Celery's default delay, as Notify's), on
the `retry` queue, then the letter is a `technical-failure` (letters.md §5.4).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import Task, shared_task
from sqlalchemy.exc import NoResultFound

from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.dao.notification_sending_dao import dao_update_notification_next_attempt_at
from app.letters.despatch import apply_despatch_confirmation
from app.letters.print_run import run_print_run
from app.letters.returned import process_returned_letters
from app.letters.send_to_print import LetterPrintRetryableError, fail_letter_after_last_retry, send_letter_to_print
from app.statsd_decorators import statsd

logger = logging.getLogger(__name__)

MAX_PRINT_RETRIES = 55
PRINT_RETRY_COUNTDOWN_SECONDS = 180


@shared_task(name=TaskNames.CHECK_TIME_TO_COLLATE_LETTERS)
@statsd(namespace="tasks")
def check_time_to_collate_letters() -> int:
    return run_print_run()


@shared_task(bind=True, name=TaskNames.DELIVER_LETTER, max_retries=MAX_PRINT_RETRIES)
@statsd(namespace="tasks")
def deliver_letter(self: Task, notification_id: str) -> None:
    fields = {"notification_id": notification_id, "task_name": self.name}
    try:
        send_letter_to_print(notification_id)
        return
    except NoResultFound:
        logger.warning("Letter %s not found: nothing printed", notification_id, extra=fields)
        return
    except LetterPrintRetryableError as error:
        if self.request.retries >= MAX_PRINT_RETRIES:
            fail_letter_after_last_retry(notification_id)
            return
        logger.info("Letter %s not sent to print (%s); will retry", notification_id, error, extra=fields)
        retry_at = utc_now() + timedelta(seconds=PRINT_RETRY_COUNTDOWN_SECONDS)
        # The print run and the safety net leave it to this retry until then.
        dao_update_notification_next_attempt_at(notification_id, next_attempt_at=retry_at)
        raise self.retry(countdown=PRINT_RETRY_COUNTDOWN_SECONDS, queue=QueueNames.RETRY) from error


@shared_task(name=TaskNames.PROCESS_LETTER_CALLBACK)
@statsd(namespace="tasks")
def process_letter_callback(notification_id: str, job_status: str, total_sheets: str | None = None) -> None:
    apply_despatch_confirmation(notification_id, job_status, total_sheets=total_sheets)


@shared_task(name=TaskNames.PROCESS_RETURNED_LETTERS_LIST)
@statsd(namespace="tasks")
def process_returned_letters_list(references: list[str], reported_at: str) -> int:
    return process_returned_letters(references, reported_at=date.fromisoformat(reported_at))
