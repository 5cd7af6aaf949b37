"""The print run: at 17:50 London time it queues every letter ready to print created before 17:30, once a day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from unittest.mock import MagicMock, patch

import pytest
from flask import Flask
from freezegun import freeze_time

from app.celery.celery_app import beat_schedule
from app.dao.notification_sending_dao import dao_update_notification_next_attempt_at
from app.letters.print_run import run_print_run
from tests.letters.letter_rows import create_letter

pytestmark = pytest.mark.usefixtures("notify_db_session", "letters_directory")

# 5 June 2026 is British Summer Time: 17:30 London is 16:30 UTC.
BEFORE_DEADLINE = datetime(2026, 6, 5, 16, 29, tzinfo=UTC)
AFTER_DEADLINE = datetime(2026, 6, 5, 16, 31, tzinfo=UTC)
PRINT_RUN_TIME = datetime(2026, 6, 5, 16, 50, tzinfo=UTC)


@pytest.fixture
def queue_tasks() -> Iterator[MagicMock]:
    with patch("app.celery.task_queue.queue_tasks") as mock:
        yield mock


def _queued_ids(queue_tasks: MagicMock) -> list[str]:
    assert all(call.kwargs["queue"] == "send-letter-tasks" for call in queue_tasks.call_args_list)
    assert all(call.args[0] == "deliver_letter" for call in queue_tasks.call_args_list)
    return [args[0] for call in queue_tasks.call_args_list for args in call.kwargs["arg_lists"]]


def test_the_print_run_queues_ready_letters_created_before_the_deadline(queue_tasks: MagicMock) -> None:
    yesterday = create_letter(created_at=datetime(2026, 6, 4, 12, 0, tzinfo=UTC))
    today = create_letter(created_at=BEFORE_DEADLINE)
    create_letter(created_at=AFTER_DEADLINE)
    create_letter(created_at=BEFORE_DEADLINE, billable_units=0, with_pdf=False)  # PDF not made yet
    create_letter(created_at=BEFORE_DEADLINE, key_type="test", status="sending")
    create_letter(created_at=BEFORE_DEADLINE, status="cancelled")
    create_letter(created_at=BEFORE_DEADLINE, status="sending")

    with freeze_time(PRINT_RUN_TIME):
        queued = run_print_run()

    assert queued == 2
    assert _queued_ids(queue_tasks) == [str(yesterday.id), str(today.id)]


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 6, 5, 15, 50, tzinfo=UTC), datetime(2026, 6, 5, 17, 50, tzinfo=UTC)],
    ids=["16:50-london", "18:50-london"],
)
def test_the_print_run_does_nothing_outside_its_hour(queue_tasks: MagicMock, now: datetime) -> None:
    create_letter(created_at=BEFORE_DEADLINE)

    with freeze_time(now):
        queued = run_print_run()

    assert queued == 0
    queue_tasks.assert_not_called()


def test_in_winter_the_print_run_goes_ahead_at_1750_utc(queue_tasks: MagicMock) -> None:
    letter = create_letter(created_at=datetime(2026, 12, 4, 17, 29, tzinfo=UTC))
    create_letter(created_at=datetime(2026, 12, 4, 17, 31, tzinfo=UTC))

    with freeze_time(datetime(2026, 12, 4, 17, 50, tzinfo=UTC)):
        queued = run_print_run()

    assert (queued, _queued_ids(queue_tasks)) == (1, [str(letter.id)])


def test_a_letter_waiting_for_its_retry_is_left_to_it(queue_tasks: MagicMock) -> None:
    letter = create_letter(created_at=BEFORE_DEADLINE)
    dao_update_notification_next_attempt_at(letter.id, next_attempt_at=datetime(2026, 6, 5, 16, 53, tzinfo=UTC))

    with freeze_time(PRINT_RUN_TIME):
        queued = run_print_run()

    assert queued == 0


def test_the_print_run_reads_every_page_of_letters(queue_tasks: MagicMock) -> None:
    letters = [create_letter(created_at=BEFORE_DEADLINE) for _ in range(3)]

    with freeze_time(PRINT_RUN_TIME), patch("app.letters.print_run.PRINT_RUN_BATCH_SIZE", 2):
        queued = run_print_run()

    assert queued == 3
    assert sorted(_queued_ids(queue_tasks)) == sorted(str(letter.id) for letter in letters)


def test_a_development_print_run_sends_every_ready_letter_at_once(notify_api: Flask, queue_tasks: MagicMock) -> None:
    letter = create_letter(created_at=AFTER_DEADLINE)
    notify_api.config["LETTERS_PRINT_RUN_INTERVAL_SECONDS"] = 5

    try:
        with freeze_time(datetime(2026, 6, 5, 17, 0, tzinfo=UTC)):
            queued = run_print_run()
    finally:
        notify_api.config["LETTERS_PRINT_RUN_INTERVAL_SECONDS"] = 0

    assert (queued, _queued_ids(queue_tasks)) == (1, [str(letter.id)])


def test_beat_starts_the_print_run_at_1650_and_1750_utc_or_at_the_development_interval() -> None:
    daily = beat_schedule()["check-time-to-collate-letters"]
    development = beat_schedule(print_run_interval_seconds=5)["check-time-to-collate-letters"]

    assert (daily["schedule"].hour, daily["schedule"].minute) == ({16, 17}, {50})
    assert (daily["task"], development["schedule"]) == ("check-time-to-collate-letters", 5)
