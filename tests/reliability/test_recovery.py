"""Recovery with real workers and beat: a killed worker's notifications, and those in flight when PostgreSQL drops
every connection, are each sent once, within seconds (the settings here are the defaults scaled down: safety nets
every second, a 3 s grace and lease; the visibility timeout stays at its real 370 s, so Redis takes no part)."""

from __future__ import annotations

import time
from collections import Counter

import psycopg
import pytest
from celery import Celery
from flask import Flask

from app.extensions import db
from tests.factories import create_notification, create_template
from tests.reliability.provider_stub import ACCEPT, HOLD, ProviderStub
from tests.reliability.waiting import sent_by, wait_until
from tests.reliability.worker_process import StartWorker

RECOVERY_SETTINGS = {
    "CELERY_VISIBILITY_TIMEOUT_SECONDS": "370",
    "DELIVERY_SAFETY_NET_INTERVAL_SECONDS": "1",
    "REQUEUE_CREATED_AFTER_SECONDS": "3",
    "SENDING_CLAIM_LEASE_SECONDS": "3",
}
BrokerUnderTest = tuple[Celery, dict[str, str]]


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_under_test(request: pytest.FixtureRequest, publisher: Celery) -> BrokerUnderTest:
    """A publisher and the worker settings that point at the same broker."""
    if request.param == "redis":
        return publisher, {}
    rabbitmq_publisher: Celery = request.getfixturevalue("rabbitmq_publisher")
    return rabbitmq_publisher, {"CELERY_BROKER_URL": rabbitmq_publisher.conf.broker_url}


def _publish(publisher: Celery, notification_ids: list[str]) -> None:
    for notification_id in notification_ids:
        publisher.send_task("deliver_sms", args=[notification_id], queue="send-sms")


def test_a_killed_worker_s_claimed_and_prefetched_sms_are_each_sent_once_within_seconds(
    broker_under_test: BrokerUnderTest, start_worker: StartWorker, start_beat: StartWorker, provider_stub: ProviderStub
) -> None:
    publisher, broker_settings = broker_under_test
    settings = {**RECOVERY_SETTINGS, **broker_settings}
    template = create_template()
    notification_ids = [str(create_notification(template=template).id) for _ in range(10)]
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, HOLD)
    doomed = start_worker(**settings)  # 4 threads, each prefetching 4: it takes all 10, holds 4 claims
    _publish(publisher, notification_ids)
    provider_stub.wait_for_held_requests(4)

    doomed.kill()
    killed_at = time.monotonic()
    for provider in ("mmg", "firetext"):
        provider_stub.set_mode(provider, ACCEPT)
    provider_stub.release_held_requests()
    survivor = start_worker(**settings)
    start_beat(**settings)
    wait_until(
        lambda: set(provider_stub.accepted_references()) == set(notification_ids),
        timeout_seconds=60,
        describe=lambda: f"accepted {provider_stub.accepted_references()}\n{survivor.log()[-3000:]}",
    )
    recovered_seconds = time.monotonic() - killed_at

    assert len(provider_stub.dropped) == 4  # the killed worker's requests never reached the provider
    assert Counter(provider_stub.accepted_references()) == Counter(notification_ids)
    assert {status for status, _provider in sent_by(notification_ids).values()} == {"sending"}
    assert recovered_seconds < 30, recovered_seconds  # not the 370 s visibility timeout


def _drop_every_worker_connection(notify_api: Flask) -> int:
    """What a PostgreSQL restart does to the workers: every backend of the test database is terminated."""
    database_url = notify_api.config["DATABASE_URL"]
    with psycopg.connect(database_url, autocommit=True) as connection:
        terminated = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(terminated[0]) if terminated else 0


def test_sms_in_flight_when_postgresql_drops_every_connection_are_all_sent_once(
    notify_api: Flask,
    start_worker: StartWorker,
    start_beat: StartWorker,
    publisher: Celery,
    provider_stub: ProviderStub,
) -> None:
    template = create_template()
    notification_ids = [str(create_notification(template=template).id) for _ in range(60)]
    db.session.remove()
    worker = start_worker(**RECOVERY_SETTINGS)
    start_beat(**RECOVERY_SETTINGS)

    dropped = 0
    for batch_start in range(0, len(notification_ids), 6):
        _publish(publisher, notification_ids[batch_start : batch_start + 6])
        time.sleep(0.1)
        dropped += _drop_every_worker_connection(notify_api)
    db.engine.dispose()  # the test's own pooled connections were dropped too
    wait_until(
        lambda: set(provider_stub.accepted_references()) == set(notification_ids),
        timeout_seconds=60,
        describe=lambda: (
            f"missing {set(notification_ids) - set(provider_stub.accepted_references())}\n{worker.log()[-4000:]}"
        ),
    )
    wait_until(
        lambda: {status for status, _provider in sent_by(notification_ids).values()} == {"sending"},
        describe=lambda: f"{Counter(status for status, _ in sent_by(notification_ids).values())}",
    )

    assert dropped >= 10
    assert worker.count_in_log(r"could not use the database \((OperationalError|PendingRollbackError)\)") >= 1
    assert Counter(provider_stub.accepted_references()) == Counter(notification_ids)
    assert worker.count_in_log(r"failed unexpectedly") == 0
