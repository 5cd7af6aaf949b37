"""The bulk-lane feeder on the real database and Redis broker: fair shares, row order, bounded depth, one feeder,
and nothing lost or sent early when it dies between handing rows over and publishing them."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from flask import Flask, current_app
from freezegun import freeze_time
from sqlalchemy import select, update

from app.celery import task_queue
from app.clock import utc_now
from app.dao.bulk_feed_dao import dao_hold_bulk_feeder_lock
from app.dao.services_dao import dao_get_service_by_id
from app.delivery.safety_nets import requeue_created_notifications, timeout_sending_notifications
from app.extensions import db
from app.jobs.bulk_feeder import feed_bulk_lanes, run_bulk_feeder
from app.jobs.process_job import process_job
from app.models import Job, Notification
from tests.factories import create_service, create_template
from tests.jobs.conftest import delivered_ids, delivery_tasks, phone_rows, queued_tasks


@pytest.fixture
def depth(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    def set_depth(rows: int) -> None:
        monkeypatch.setitem(notify_api.config, "BULK_FEED_QUEUE_DEPTH", rows)

    return set_depth


@pytest.fixture
def started_job(make_job: Callable[..., Job]) -> Callable[..., Job]:
    """A processed job (its rows stored, waiting for the feeder) of a service of its own unless one is given."""

    def start(row_count: int, *, weight: int = 1, service_id: uuid.UUID | None = None) -> Job:
        service = create_service(bulk_share_weight=weight) if service_id is None else dao_get_service_by_id(service_id)
        job = make_job(template=create_template(service=service), rows=phone_rows(row_count))
        process_job(str(job.id))
        return job

    return start


def notification_ids(job: Job) -> list[str]:
    rows = db.session.execute(
        select(Notification.id).where(Notification.job_id == job.id).order_by(Notification.job_row_number)
    ).scalars()
    return [str(notification_id) for notification_id in rows]


def queued_ids(queue: str = "bulk-sms") -> list[str]:
    return [notification_id for _task, notification_id in delivered_ids(queue)]


def fed_count_by_job(*jobs: Job) -> dict[str, int]:
    queued = Counter(queued_ids())
    return {str(job.original_file_name): sum(queued[id_] for id_ in notification_ids(job)) for job in jobs}


def drain(queue: str = "bulk-sms") -> None:
    current_app.extensions["redis"].delete(queue)


def test_a_job_s_rows_are_handed_to_the_bulk_queue_in_row_order(started_job: Callable[..., Job]) -> None:
    job = started_job(12)

    with freeze_time("2026-12-06 12:00:00"):
        fed = feed_bulk_lanes()

    assert fed == 12
    assert queued_ids() == notification_ids(job)
    next_attempts = db.session.execute(select(Notification.next_attempt_at).where(Notification.job_id == job.id))
    assert set(next_attempts.scalars()) == {datetime(2026, 12, 6, 12, tzinfo=UTC)}


def test_rows_are_published_in_batch_tasks_of_the_configured_size(
    started_job: Callable[..., Job], notify_api: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "BULK_FEED_BATCH_SIZE", 10)
    job = started_job(25)

    feed_bulk_lanes()

    batches = delivery_tasks("bulk-sms")
    assert [(name, len(args[0])) for name, args in batches] == [("deliver_sms_batch", 10)] * 2 + [
        ("deliver_sms_batch", 5)
    ]
    assert [notification_id for _name, args in batches for notification_id in args[0]] == notification_ids(job)


def test_a_waiting_batch_counts_as_a_full_batch_of_rows(
    started_job: Callable[..., Job], depth: Callable[[int], None], notify_api: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "BULK_FEED_BATCH_SIZE", 10)
    depth(40)
    started_job(100)

    first, with_four_batches_waiting = feed_bulk_lanes(), feed_bulk_lanes()
    take_first_message("bulk-sms")
    take_first_message("bulk-sms")
    with_two_batches_waiting = feed_bulk_lanes()

    assert (first, with_four_batches_waiting, with_two_batches_waiting) == (40, 0, 20)


def take_first_message(queue: str) -> None:
    current_app.extensions["redis"].rpop(queue)


def test_the_feeder_tops_a_queue_up_to_its_depth_and_no_further(
    started_job: Callable[..., Job], depth: Callable[[int], None]
) -> None:
    depth(40)
    job = started_job(100)

    first, while_full = feed_bulk_lanes(), feed_bulk_lanes()
    drain()
    after_draining = feed_bulk_lanes()

    assert (first, while_full, after_draining) == (40, 0, 40)
    assert queued_ids() == notification_ids(job)[40:80]


def test_two_services_share_the_room_by_their_weights(
    started_job: Callable[..., Job], depth: Callable[[int], None]
) -> None:
    depth(100)
    heavy, light = started_job(500, weight=3), started_job(500, weight=1)
    heavy.original_file_name, light.original_file_name = "heavy", "light"

    feed_bulk_lanes()

    assert fed_count_by_job(heavy, light) == {"heavy": 75, "light": 25}


def test_a_small_job_started_while_a_big_one_drains_is_fed_at_once(
    started_job: Callable[..., Job], depth: Callable[[int], None]
) -> None:
    depth(100)
    big = started_job(1000)
    feed_bulk_lanes()
    drain()
    small = started_job(10)
    big.original_file_name, small.original_file_name = "big", "small"

    feed_bulk_lanes()

    assert fed_count_by_job(big, small) == {"big": 90, "small": 10}
    # The queue interleaves the two, so the small job's rows are not all behind the big job's.
    positions = [index for index, id_ in enumerate(queued_ids()) if id_ in set(notification_ids(small))]
    assert positions[0] < 10
    assert positions[-1] < 100


def test_a_service_s_part_is_shared_evenly_between_its_jobs(
    started_job: Callable[..., Job], depth: Callable[[int], None]
) -> None:
    depth(120)
    first = started_job(500)
    second = started_job(500, service_id=first.service_id)
    other = started_job(500)
    first.original_file_name, second.original_file_name, other.original_file_name = "first", "second", "other"

    feed_bulk_lanes()

    assert fed_count_by_job(first, second, other) == {"first": 30, "second": 30, "other": 60}


def test_a_row_is_handed_over_once_however_often_the_feeder_runs(
    started_job: Callable[..., Job], depth: Callable[[int], None]
) -> None:
    depth(30)
    job = started_job(100)

    handed: list[str] = []
    for _ in range(10):
        feed_bulk_lanes()
        handed += queued_ids()
        drain()

    assert handed == notification_ids(job)
    assert feed_bulk_lanes() is None  # nothing waits any more


def test_rows_a_dead_feeder_handed_over_but_never_published_are_queued_by_the_safety_net(
    started_job: Callable[..., Job], depth: Callable[[int], None]
) -> None:
    depth(20)
    job = started_job(50)
    ids = notification_ids(job)

    with (
        patch("app.jobs.bulk_feeder.task_queue.queue_tasks", side_effect=SystemExit("worker killed")),
        pytest.raises(SystemExit),
    ):
        feed_bulk_lanes()
    db.session.rollback()
    with freeze_time(utc_now() + timedelta(seconds=61)):
        requeued = requeue_created_notifications()
        next_feed = feed_bulk_lanes()

    assert requeued == 20  # the safety net queues the lost rows, on their own bulk lane, once they are overdue
    assert sorted(queued_ids()) == sorted(ids[:20])
    assert next_feed == 0  # they fill the lane's depth: nothing more until workers take them
    take_every_waiting_message("bulk-sms")
    assert feed_bulk_lanes() == 20
    assert queued_ids() == ids[20:40]  # the feeder never hands the lost rows over again


def take_every_waiting_message(queue: str) -> None:
    """What workers do to a queue's waiting messages, as far as the feeder can tell: the queue is empty."""
    with task_queue.celery_app().connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)


def test_rows_waiting_for_the_feeder_are_never_overdue_for_the_safety_net(started_job: Callable[..., Job]) -> None:
    started_job(10)

    with freeze_time(utc_now() + timedelta(days=2)):
        requeued = requeue_created_notifications()

    assert requeued == 0
    assert delivery_tasks("send-sms") == []


def test_the_timeout_fails_no_row_still_waiting_its_turn(started_job: Callable[..., Job], notify_api: Flask) -> None:
    job = started_job(5)

    with freeze_time(utc_now() + timedelta(seconds=notify_api.config["SENDING_TIMEOUT_SECONDS"] + 3600)):
        timed_out = timeout_sending_notifications()

    assert timed_out == 0
    assert _statuses(job) == {"created"}


def test_the_timeout_counts_a_job_s_rows_from_its_last_hand_over(
    started_job: Callable[..., Job], notify_api: Flask
) -> None:
    timeout = timedelta(seconds=notify_api.config["SENDING_TIMEOUT_SECONDS"])
    fed_lately, fed_long_ago = started_job(3), started_job(4)
    feed_bulk_lanes()
    _set_rows_fed_at(fed_long_ago, utc_now())

    with freeze_time(utc_now() + timeout + timedelta(hours=1)):
        _set_rows_fed_at(fed_lately, utc_now() - timedelta(hours=2))
        timed_out = timeout_sending_notifications()

    assert timed_out == 4
    assert (_statuses(fed_lately), _statuses(fed_long_ago)) == ({"created"}, {"technical-failure"})


def _set_rows_fed_at(job: Job, when: datetime) -> None:
    db.session.execute(update(Job).where(Job.id == job.id).values(rows_fed_at=when))
    db.session.commit()


def _statuses(job: Job) -> set[str]:
    db.session.expire_all()
    return set(db.session.execute(select(Notification.status).where(Notification.job_id == job.id)).scalars())


def test_only_one_feeder_runs_at_a_time(started_job: Callable[..., Job], notify_api: Flask) -> None:
    started_job(5)

    with notify_api.app_context(), dao_hold_bulk_feeder_lock() as is_held_elsewhere:
        assert is_held_elsewhere
        run = run_bulk_feeder()

    assert run is None
    assert queued_ids() == []


def test_a_run_queues_its_successor_while_rows_still_wait(
    started_job: Callable[..., Job], depth: Callable[[int], None], notify_api: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    depth(20)
    monkeypatch.setitem(notify_api.config, "BULK_FEED_RUN_SECONDS", 0)
    started_job(50)
    kicks_before = queued_tasks("jobs").count(("feed_bulk_lanes", []))

    fed = run_bulk_feeder()

    assert fed == 20
    assert queued_tasks("jobs").count(("feed_bulk_lanes", [])) == kicks_before + 1


def test_a_run_with_nothing_waiting_queues_no_successor(notify_db_session: None) -> None:
    assert run_bulk_feeder() == 0
    assert queued_tasks("jobs") == []
