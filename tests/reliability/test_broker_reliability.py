"""Brokers: a Redis broker restarted mid-run loses nothing it took; RabbitMQ carries the deliver tasks too."""

from __future__ import annotations

import time
from collections import Counter

from celery import Celery
from kombu.exceptions import OperationalError

from app.dao.notifications_dao import dao_delete_notification_by_id
from app.models import Template
from tests.factories import create_notification, create_template
from tests.reliability.provider_stub import ProviderStub
from tests.reliability.redis_server import RedisServer
from tests.reliability.waiting import sent_by, wait_until
from tests.reliability.worker_process import StartWorker


def _create_and_queue(publisher: Celery, template: Template) -> str | None:
    """What the API does for a POST: store the notification, queue its task, answer 201 only if the broker took it
    (else remove the row and answer 5xx). Returns the id answered 201, or None."""
    notification_id = create_notification(template=template).id
    try:
        publisher.send_task("deliver_sms", args=[str(notification_id)], queue="send-sms")
    except OperationalError:
        dao_delete_notification_by_id(notification_id)
        return None
    return str(notification_id)


class Supervisor:
    """Keeps one worker running, as systemd or Kubernetes would: a Celery 5.7 worker on Redis sometimes exits
    (`Unrecoverable error: AttributeError(... 'hostname')`) when its broker connection drops."""

    def __init__(self, start_worker: StartWorker, **settings: str) -> None:
        self._start_worker = start_worker
        self._settings = settings
        self.workers = [start_worker(**settings)]

    def keep_running(self) -> None:
        if self.workers[-1].has_exited():
            self.workers.append(self._start_worker(**self._settings))

    def logs(self) -> str:
        return "\n".join(worker.log()[-3000:] for worker in self.workers)


def _all_handed_over(
    publisher: Celery, provider_stub: ProviderStub, supervisor: Supervisor, accepted: list[str]
) -> bool:
    """True once every accepted notification reached the provider; until then, run the safety net once more (what
    beat does every minute): Redis pops a message before the worker has it, so a crash at that moment loses the
    message, never the notification."""
    if set(provider_stub.accepted_references()) >= set(accepted):
        return True
    supervisor.keep_running()
    publisher.send_task("requeue_created_notifications", queue="periodic")
    time.sleep(1)
    return False


def test_a_redis_broker_killed_mid_run_loses_nothing_it_accepted(
    start_worker: StartWorker, publisher: Celery, provider_stub: ProviderStub, broker: RedisServer
) -> None:
    publisher.conf.broker_transport_options = {
        **publisher.conf.broker_transport_options,
        "socket_timeout": 1,
        "socket_connect_timeout": 1,
    }
    publisher.conf.task_publish_retry_policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    template = create_template()
    supervisor = Supervisor(start_worker, REQUEUE_CREATED_AFTER_SECONDS="3")
    answered_201 = [_create_and_queue(publisher, template) for _ in range(20)]

    broker.kill()
    answered_201 += [_create_and_queue(publisher, template) for _ in range(3)]
    broker.start()
    answered_201 += [_create_and_queue(publisher, template) for _ in range(20)]
    accepted = [notification_id for notification_id in answered_201 if notification_id]
    wait_until(
        lambda: _all_handed_over(publisher, provider_stub, supervisor, accepted),
        timeout_seconds=30,
        describe=lambda: f"missing {set(accepted) - set(provider_stub.accepted_references())}\n{supervisor.logs()}",
    )

    assert answered_201[20:23] == [None, None, None]  # refused while the broker was down, never answered 201
    assert Counter(provider_stub.accepted_references()) == Counter(accepted)
    assert {status for status, _provider in sent_by(accepted).values()} == {"sending"}


def test_deliver_tasks_travel_over_rabbitmq(
    rabbitmq_publisher: Celery, start_worker: StartWorker, provider_stub: ProviderStub
) -> None:
    template = create_template()
    notification_ids = [str(create_notification(template=template).id) for _ in range(3)]
    worker = start_worker(CELERY_BROKER_URL=rabbitmq_publisher.conf.broker_url)

    # One on each lane's queue: priority, normal and bulk.
    for notification_id, queue in zip(notification_ids, ("priority-sms", "send-sms", "bulk-sms"), strict=True):
        rabbitmq_publisher.send_task("deliver_sms", args=[notification_id], queue=queue)
    wait_until(
        lambda: sorted(provider_stub.accepted_references()) == sorted(notification_ids),
        describe=lambda: worker.log()[-3000:],
    )

    assert set(sent_by(notification_ids).values()) <= {("sending", "mmg"), ("sending", "firetext")}
