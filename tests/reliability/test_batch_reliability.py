"""Batched delivery with a real worker and broker: a batch delivered again sends nothing twice, and a worker killed
mid-batch, with its provider requests in flight, loses nothing while the survivor sends each notification once."""

from __future__ import annotations

from collections import Counter

from celery import Celery

from tests.factories import create_notification, create_template
from tests.reliability.provider_stub import HOLD, ProviderStub
from tests.reliability.waiting import sent_by
from tests.reliability.worker_process import StartWorker, replace_worker_killed_mid_send

DELIVERED_BATCH = r"Task deliver_sms_batch\[[^\]]+\] succeeded"


def _deliver_sms_batch(publisher: Celery, notification_ids: list[str]) -> None:
    publisher.send_task("deliver_sms_batch", args=[notification_ids], queue="send-sms")


def _notification_ids(count: int) -> list[str]:
    template = create_template()
    return [str(create_notification(template=template).id) for _ in range(count)]


def test_the_same_batch_delivered_five_times_sends_each_notification_once(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub
) -> None:
    notification_ids = _notification_ids(6)
    worker = start_worker()

    for _ in range(5):
        _deliver_sms_batch(publisher, notification_ids)
    worker.wait_for_log(DELIVERED_BATCH, count=5)

    assert Counter(provider_stub.accepted_references()) == Counter(notification_ids)
    assert {status for status, _provider in sent_by(notification_ids).values()} == {"sending"}


def test_a_worker_killed_mid_batch_loses_nothing_and_the_survivor_sends_each_notification_once(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub
) -> None:
    notification_ids = _notification_ids(5)
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, HOLD)
    doomed = start_worker()
    _deliver_sms_batch(publisher, notification_ids)
    provider_stub.wait_for_held_requests(5)  # the batch's calls are all in flight at once

    survivor = replace_worker_killed_mid_send(doomed, start_worker, provider_stub, notification_ids)
    survivor.wait_for_log(DELIVERED_BATCH, count=1)

    assert len(provider_stub.dropped) == 5  # the killed worker's requests never reached the provider
    assert Counter(provider_stub.accepted_references()) == Counter(notification_ids)
    assert {status for status, _provider in sent_by(notification_ids).values()} == {"sending"}
