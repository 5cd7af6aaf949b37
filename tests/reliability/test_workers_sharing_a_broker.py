"""Scale-out: worker processes that share only the broker, PostgreSQL and Redis (as on separate hosts: each has its
own in-process caches, provider sessions and prefetch buffer) send every notification exactly once between them."""

from __future__ import annotations

import re
from collections import Counter

from celery import Celery

from tests.factories import create_notification, create_template
from tests.reliability.provider_stub import ACCEPT, HOLD, ProviderStub
from tests.reliability.waiting import sent_by, wait_until
from tests.reliability.worker_process import StartWorker

DELIVERED_TASK = r"Task deliver_sms\[[^\]]+\] succeeded"
THREADS = 4


def test_two_workers_on_one_broker_send_a_batch_queued_twice_once_each(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub
) -> None:
    template = create_template()
    notification_ids = [str(create_notification(template=template).id) for _ in range(20)]
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, HOLD)
    workers = [start_worker(CELERY_PREFETCH_MULTIPLIER="1") for _ in range(2)]

    for notification_id in notification_ids:
        for _ in range(2):  # every task twice, as a redelivery or a safety net's requeue would
            publisher.send_task("deliver_sms", args=[notification_id], queue="send-sms")
    # Every thread of both workers is in a provider call: each worker has claimed notifications of its own.
    provider_stub.wait_for_held_requests(2 * THREADS)
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, ACCEPT)
    provider_stub.release_held_requests()

    def tasks_done() -> list[int]:
        return [len(re.findall(DELIVERED_TASK, worker.log())) for worker in workers]

    wait_until(
        lambda: sum(tasks_done()) == 2 * len(notification_ids),
        describe=lambda: f"tasks done by each worker {tasks_done()}, accepted {provider_stub.accepted_references()}",
    )

    assert all(done > 0 for done in tasks_done())
    assert Counter(provider_stub.accepted_references()) == Counter(notification_ids)
    assert {status for status, _provider in sent_by(notification_ids).values()} == {"sending"}
