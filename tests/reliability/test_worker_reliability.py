"""A real worker and broker: duplicates send once, a killed worker loses nothing, a failing provider is avoided."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from celery import Celery
from freezegun import freeze_time

from app.clock import utc_now
from app.dao.provider_details_dao import (
    dao_get_provider_details_by_identifier,
    dao_list_provider_details_history,
    dao_update_provider_details,
)
from tests.factories import create_notification, create_template
from tests.reliability.provider_stub import FAIL, HOLD, ProviderStub
from tests.reliability.waiting import sent_by
from tests.reliability.worker_process import StartWorker, replace_worker_killed_mid_send

DELIVERED_TASK = r"Task deliver_sms\[[^\]]+\] succeeded"


def _deliver_sms(publisher: Celery, notification_id: object) -> None:
    publisher.send_task("deliver_sms", args=[str(notification_id)], queue="send-sms")


def test_the_same_task_delivered_five_times_sends_once(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub
) -> None:
    notification = create_notification()
    worker = start_worker()

    for _ in range(5):
        _deliver_sms(publisher, notification.id)
    worker.wait_for_log(DELIVERED_TASK, count=5)

    assert provider_stub.accepted_references() == [str(notification.id)]
    assert sent_by([notification.id])[str(notification.id)][0] == "sending"


def test_a_worker_killed_mid_send_loses_nothing_and_sends_each_notification_once(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub
) -> None:
    template = create_template()
    notification_ids = [str(create_notification(template=template).id) for _ in range(3)]
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, HOLD)
    doomed = start_worker()
    for notification_id in notification_ids:
        _deliver_sms(publisher, notification_id)
    provider_stub.wait_for_held_requests(3)

    survivor = replace_worker_killed_mid_send(doomed, start_worker, provider_stub, notification_ids)
    survivor.wait_for_log(DELIVERED_TASK, count=3)

    assert len(provider_stub.dropped) == 3  # the killed worker's requests never reached the provider
    assert Counter(provider_stub.accepted_references()) == Counter(notification_ids)
    assert {status for status, _provider in sent_by(notification_ids).values()} == {"sending"}


def test_while_a_provider_answers_503_every_notification_goes_through_the_other(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub
) -> None:
    with freeze_time(utc_now() - timedelta(minutes=5)):
        # Every first attempt goes to MMG, so every one of them fails over.
        dao_update_provider_details(dao_get_provider_details_by_identifier("mmg"), reason="test", priority=100)
        dao_update_provider_details(dao_get_provider_details_by_identifier("firetext"), reason="test", priority=0)
    template = create_template()
    notification_ids = [str(create_notification(template=template).id) for _ in range(12)]
    provider_stub.set_mode("mmg", FAIL)
    worker = start_worker(SMS_PROVIDER_ERROR_THRESHOLD="10")

    for notification_id in notification_ids:
        _deliver_sms(publisher, notification_id)
    worker.wait_for_log(DELIVERED_TASK, count=12)

    # Once ten points moved to Firetext, a few first attempts go straight there.
    assert (len(provider_stub.refused) >= 10, provider_stub.accepted_by("mmg")) == (True, [])
    assert sorted(provider_stub.accepted_by("firetext")) == sorted(notification_ids)
    assert set(sent_by(notification_ids).values()) == {("sending", "firetext")}
    latest = dao_list_provider_details_history("mmg")[0]  # threads racing past the threshold may count 11 or 12
    assert (latest.priority, latest.reason.endswith(" send errors in 60 seconds")) == (90, True)
