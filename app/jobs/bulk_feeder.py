"""Feed job rows to the bulk lanes a few hundred at a time, in fair shares between the services whose jobs wait.

process_job stores a job's rows without queueing them (they wait: see app/dao/bulk_feed_dao.py). The feeder keeps
each lane's queue (bulk-sms, bulk-email; research-mode for test-key jobs, as before) at about BULK_FEED_QUEUE_DEPTH
waiting rows, published as batch deliver tasks of BULK_FEED_BATCH_SIZE rows (each waiting message is counted as a
full batch). Each time a queue has room for a quarter of that depth or more, the room is split between the
services with rows for it in proportion to their `bulk_share_weight`, each service's part evenly between its jobs,
and each job gives its next rows in row order. So a service's 200-row job waits behind a few hundred rows, not
behind another service's 100,000, and no service takes the whole lane while another waits.

Nothing is sent twice or lost: the rows are handed over (no longer waiting, due now) and committed before their
tasks are published; if the feeder dies in between, the delivery safety net finds them overdue and queues them,
and a deliver task only sends a notification it claims. One feeder runs at a time across hosts (an advisory lock).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from flask import current_app

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.dao.bulk_feed_dao import (
    FedRow,
    JobAwaitingFeed,
    dao_hand_over_job_rows,
    dao_has_rows_awaiting_feed,
    dao_hold_bulk_feeder_lock,
    dao_list_jobs_awaiting_feed,
)
from app.delivery.lanes import Lane
from app.delivery.queueing import MAX_DELIVER_BATCH, deliver_batch_task_name, deliver_queue
from app.jobs.fair_shares import Claim, fair_shares

logger = logging.getLogger(__name__)

_NEVER = datetime.min.replace(tzinfo=UTC)


def bulk_queue(notification_type: str, key_type: str) -> QueueNames:
    """The queue a job row's deliver task goes to: its channel's bulk lane; research-mode for a test key's job."""
    return deliver_queue(notification_type, key_type, Lane.BULK)


def enqueue_feed_bulk_lanes() -> None:
    """Start a feeder run (it does nothing if another one is running). Broker errors propagate."""
    task_queue.queue_task(TaskNames.FEED_BULK_LANES, args=[], queue=QueueNames.JOBS)


def run_bulk_feeder() -> int | None:
    """Feed the bulk lanes every BULK_FEED_INTERVAL_SECONDS for up to BULK_FEED_RUN_SECONDS, while rows wait; then,
    if rows still wait, queue the next run. Returns how many rows were handed over, None when another feeder holds
    the lock (it queues the next run itself)."""
    config = current_app.config
    deadline = time.monotonic() + config["BULK_FEED_RUN_SECONDS"]
    fed_count = 0
    with dao_hold_bulk_feeder_lock() as is_held:
        if not is_held:
            return None
        while True:
            fed = feed_bulk_lanes()
            if fed is None:
                break
            fed_count += fed
            if time.monotonic() + config["BULK_FEED_INTERVAL_SECONDS"] >= deadline:
                break
            time.sleep(config["BULK_FEED_INTERVAL_SECONDS"])
    if fed_count:
        logger.info("Fed %s job rows to the bulk lanes", fed_count, extra={"notification_count": fed_count})
    # Checked after letting go of the lock: rows stored while this run was ending, whose job's kick found the lock
    # held and went away, are seen here.
    if dao_has_rows_awaiting_feed():
        enqueue_feed_bulk_lanes()
    return fed_count


def feed_bulk_lanes() -> int | None:
    """Top up each bulk queue that has room with rows chosen by fair share. Returns how many rows were handed over,
    None when no rows wait at all."""
    depth = current_app.config["BULK_FEED_QUEUE_DEPTH"]
    waiting = dao_list_jobs_awaiting_feed(row_limit=depth)
    if not waiting:
        return None
    jobs_by_queue: dict[QueueNames, list[JobAwaitingFeed]] = defaultdict(list)
    for job in waiting:
        jobs_by_queue[bulk_queue(job.notification_type, job.key_type)].append(job)
    row_counts: dict[uuid.UUID, int] = {}
    for queue, messages in _waiting_messages(jobs_by_queue).items():
        # Each message is a batch of at most BULK_FEED_BATCH_SIZE rows, all full but the last of each feed: counting
        # every message as full never overfills the lane (a safety net's single-row messages make it underfill).
        room = depth - messages * _batch_size()
        if room >= max(1, depth // 4):
            row_counts.update(share_room(room, jobs_by_queue[queue]))
    if not any(row_counts.values()):
        return 0
    handed_over = dao_hand_over_job_rows(row_counts, now=utc_now())
    _publish(handed_over)
    return len(handed_over)


def share_room(room: int, jobs: Sequence[JobAwaitingFeed]) -> dict[uuid.UUID, int]:
    """Split ``room`` rows between the services of ``jobs`` by their weights, then each service's part evenly between
    its jobs; leftover rows go to whoever was fed longest ago. Returns the rows to take from each job."""
    weight_limit = current_app.config["BULK_SHARE_WEIGHT_MAX"]
    jobs_by_service: dict[uuid.UUID, list[JobAwaitingFeed]] = defaultdict(list)
    for job in sorted(jobs, key=_longest_waiting_first):
        jobs_by_service[job.service_id].append(job)
    service_claims = [
        Claim(
            key=service_id,
            weight=min(max(service_jobs[0].bulk_share_weight, 1), weight_limit),
            demand=sum(job.waiting_row_count for job in service_jobs),
        )
        for service_id, service_jobs in sorted(jobs_by_service.items(), key=lambda item: _service_last_fed(item[1]))
    ]
    row_counts: dict[uuid.UUID, int] = {}
    for service_id, service_rows in fair_shares(room, service_claims).items():
        service_jobs = jobs_by_service[service_id]
        job_claims = [Claim(key=job.job_id, weight=1, demand=job.waiting_row_count) for job in service_jobs]
        row_counts.update(fair_shares(service_rows, job_claims))
    return row_counts


def _longest_waiting_first(job: JobAwaitingFeed) -> tuple[datetime, datetime]:
    return (job.rows_fed_at or _NEVER, job.created_at)


def _service_last_fed(jobs: Iterable[JobAwaitingFeed]) -> datetime:
    return max(job.rows_fed_at or _NEVER for job in jobs)


def _waiting_messages(queues: Iterable[QueueNames]) -> dict[QueueNames, int]:
    """How many messages wait on each queue (not those a worker has taken). Declares each queue as the workers do,
    which answers with its count on Redis and RabbitMQ alike. Broker errors propagate."""
    celery = task_queue.celery_app()
    with celery.connection_for_write() as connection, connection.channel() as channel:
        return {queue: celery.amqp.queues[queue].bind(channel).queue_declare().message_count for queue in queues}


def _batch_size() -> int:
    size: int = current_app.config["BULK_FEED_BATCH_SIZE"]
    return max(1, min(size, MAX_DELIVER_BATCH))


def _publish(rows: Sequence[FedRow]) -> None:
    """Queue the rows' batch deliver tasks on their lanes, BULK_FEED_BATCH_SIZE rows a message (one broker round trip
    per lane), jobs interleaved in proportion and each job's rows in row order."""
    by_destination: dict[tuple[QueueNames, TaskNames], list[str]] = defaultdict(list)
    for row in _interleaved(rows):
        destination = (bulk_queue(row.notification_type, row.key_type), deliver_batch_task_name(row.notification_type))
        by_destination[destination].append(str(row.id))
    size = _batch_size()
    for (queue, task_name), ids in by_destination.items():
        batches = [[ids[start : start + size]] for start in range(0, len(ids), size)]
        task_queue.queue_tasks(task_name, arg_lists=batches, queue=queue)


def _interleaved(rows: Sequence[FedRow]) -> list[FedRow]:
    """The rows ordered by how far through its job's part each one is, so a worker taking them in order serves every
    job at its share's pace; within a job, row order is kept (the sort is stable)."""
    rows_by_job: dict[uuid.UUID, list[FedRow]] = defaultdict(list)
    for row in rows:
        rows_by_job[row.job_id].append(row)
    progress = [
        ((position + 1) / len(job_rows), row)
        for job_rows in rows_by_job.values()
        for position, row in enumerate(job_rows)
    ]
    return [row for _fraction, row in sorted(progress, key=lambda item: item[0])]
