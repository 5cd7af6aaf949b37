"""The Celery settings: every scheduled task exists, brokers get the options they need, redelivery waits long enough."""

from __future__ import annotations

from typing import Any

import pytest
from celery import Celery
from flask import Flask

from app.celery.celery_app import beat_schedule, celery_settings
from config import load_config


def _transport_options(broker_url: str, **settings: Any) -> dict[str, Any]:
    config = {**load_config("test"), "CELERY_BROKER_URL": broker_url, **settings}
    return celery_settings(config)["broker_transport_options"]


@pytest.mark.parametrize("entry", sorted(beat_schedule()), ids=str)
def test_every_scheduled_task_is_registered_and_runs_on_the_periodic_queue(notify_api: Flask, entry: str) -> None:
    celery = notify_api.extensions["celery"]
    celery.loader.import_default_modules()

    scheduled = beat_schedule()[entry]

    assert (scheduled["task"] in celery.tasks, scheduled["options"]) == (True, {"queue": "periodic"})


def test_redis_looks_for_messages_of_dead_workers_every_ten_seconds() -> None:
    options = _transport_options("redis+socket:///tmp/redis.sock", CELERY_VISIBILITY_TIMEOUT_SECONDS=370)

    assert (options["unacked_restore_interval"], options["unacked_restore_throttle"]) == (10, 1)


def test_rabbitmq_confirms_every_publish() -> None:
    options = _transport_options("amqp://guest:guest@127.0.0.1:5672//")

    assert options == {"confirm_publish": True}


def test_sqs_gets_its_region_and_queue_prefix() -> None:
    options = _transport_options("sqs://", AWS_REGION="eu-west-2", CELERY_QUEUE_PREFIX="herald-prod-")

    assert (options["region"], options["queue_name_prefix"], options["visibility_timeout"]) == (
        "eu-west-2",
        "herald-prod-",
        370,
    )


def test_an_sqs_broker_url_selects_kombus_sqs_transport() -> None:
    settings = celery_settings({**load_config("test"), "CELERY_BROKER_URL": "sqs://"})
    app = Celery("sqs-settings", set_as_current=False)
    app.conf.update(settings)

    with app.connection_for_write() as connection:
        transport_module = type(connection.transport).__module__

    assert transport_module == "kombu.transport.SQS"


def test_the_delivery_safety_nets_run_as_often_as_configured() -> None:
    config = {**load_config("test"), "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}

    schedule = celery_settings({**config, "DELIVERY_SAFETY_NET_INTERVAL_SECONDS": 5})["beat_schedule"]

    assert (
        schedule["requeue-created-notifications"]["schedule"],
        schedule["requeue-stale-sending-claims"]["schedule"],
    ) == (5, 5)


def test_by_default_a_dead_worker_s_notifications_are_queued_again_within_two_minutes() -> None:
    config = load_config("test")
    interval = config["DELIVERY_SAFETY_NET_INTERVAL_SECONDS"]

    # a lost task: due (its creation or retry time) + grace + one interval; a lost claim: lease + one interval
    assert config["REQUEUE_CREATED_AFTER_SECONDS"] + interval <= 90
    assert config["SENDING_CLAIM_LEASE_SECONDS"] + interval <= 90
    # ...yet a live worker's slowest provider call (connect and answer timeouts) ends well inside the lease
    assert config["SENDING_CLAIM_LEASE_SECONDS"] >= 2 * 2 * config["PROVIDER_TIMEOUT_SECONDS"]
