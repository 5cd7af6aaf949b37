"""The print run (letters.md §5.4): once a day, after the 17:30 London print deadline, queue `deliver_letter` for
every letter ready to print that was created before it.

Beat starts `check-time-to-collate-letters` at 16:50 and 17:50 UTC; it goes ahead only when London time is from 17:50
to 18:50, so it runs once a day whether or not Britain is on summer time. Queueing a letter twice (two runs racing, a
run repeated) is harmless: `deliver_letter` claims each letter before sending it. With
LETTERS_PRINT_RUN_INTERVAL_SECONDS (development only) beat runs it that often and it sends every ready letter at once.
"""

from __future__ import annotations

import logging
from datetime import datetime, time

from flask import current_app

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.dao.letter_print_dao import dao_list_letters_to_print
from app.letters.pdf_store import LONDON

logger = logging.getLogger(__name__)

PRINT_DEADLINE = time(17, 30)
PRINT_RUN_STARTS = time(17, 50)
PRINT_RUN_ENDS = time(18, 50)
PRINT_RUN_BATCH_SIZE = 100


def print_deadline_on_day_of(now: datetime) -> datetime:
    """17:30 London time on the London date of ``now``, as an aware datetime."""
    return datetime.combine(now.astimezone(LONDON).date(), PRINT_DEADLINE, tzinfo=LONDON)


def is_time_to_print(now: datetime) -> bool:
    return PRINT_RUN_STARTS <= now.astimezone(LONDON).time() < PRINT_RUN_ENDS


def run_print_run() -> int:
    """Queue every letter ready to print, if it is time. Returns how many were queued."""
    now = utc_now()
    if current_app.config["LETTERS_PRINT_RUN_INTERVAL_SECONDS"]:
        created_before = now
    elif is_time_to_print(now):
        created_before = print_deadline_on_day_of(now)
    else:
        logger.info("Not the time to print letters: the print run waits for 17:50 London time")
        return 0
    queued = _queue_letters_created_before(created_before, now=now)
    logger.info("Print run queued %s letters", queued, extra={"notification_count": queued})
    return queued


def _queue_letters_created_before(created_before: datetime, *, now: datetime) -> int:
    queued = 0
    after = None
    while True:
        batch = dao_list_letters_to_print(
            created_before=created_before, now=now, after=after, limit=PRINT_RUN_BATCH_SIZE
        )
        task_queue.queue_tasks(
            TaskNames.DELIVER_LETTER, arg_lists=[[str(letter.id)] for letter in batch], queue=QueueNames.SEND_LETTER
        )
        queued += len(batch)
        if len(batch) < PRINT_RUN_BATCH_SIZE:
            return queued
        after = batch[-1]
