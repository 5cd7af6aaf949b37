"""The rate and daily limits on POST /v2/notifications/sms and /email: checked first, counted only for accepted sends,
and failing open when Redis is unreachable."""

from __future__ import annotations

import logging
from unittest.mock import MagicMock

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from app.clock import utc_now
from app.limits.daily import daily_count_key
from app.redis_store import make_redis_client
from tests.v2.notifications.send_api import (
    Sender,
    create_sender,
    email_body,
    errors_of,
    post_send,
    sms_body,
    stored_notification_count,
)


@pytest.fixture
def redis_store(notify_api: Flask) -> redis.Redis:
    return notify_api.extensions["redis"]


def todays_count(redis_store: redis.Redis, sender: Sender, limit_name: str = "sms") -> int:
    return int(redis_store.get(daily_count_key(sender.service.id, limit_name, utc_now().date())) or 0)


def fill_todays_count(redis_store: redis.Redis, sender: Sender, limit_name: str, count: int) -> None:
    redis_store.set(daily_count_key(sender.service.id, limit_name, utc_now().date()), count)


def test_a_service_over_its_rate_limit_is_refused(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(rate_limit=3)  # a bucket of 2
    for _ in range(2):
        post_send(client, sender.api_key, "sms", sms_body(sender))

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert (response.status_code, errors_of(response)) == (
        429,
        [{"error": "RateLimitError", "message": "Exceeded rate limit for key type LIVE of 3 requests per 60 seconds"}],
    )


def test_the_rate_limit_is_checked_before_the_body(client: FlaskClient, notify_db_session: None) -> None:
    sender = create_sender(rate_limit=3)
    for _ in range(2):
        post_send(client, sender.api_key, "sms", data=b"not json")

    response = post_send(client, sender.api_key, "sms", data=b"not json")

    assert errors_of(response)[0]["error"] == "RateLimitError"


def test_a_service_over_its_daily_limit_is_refused_before_the_body_is_read(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(email_message_limit=10)
    fill_todays_count(redis_store, sender, "email", 10)

    response = post_send(client, sender.api_key, "email", data=b"not json")

    assert (response.status_code, errors_of(response)) == (
        429,
        [{"error": "TooManyRequestsError", "message": "Exceeded send limits (email: 10) for today"}],
    )


def test_a_trial_service_sends_at_most_50_a_day(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(restricted=True, key_type="team")
    fill_todays_count(redis_store, sender, "sms", 50)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert errors_of(response) == [
        {"error": "TooManyRequestsError", "message": "Exceeded send limits (sms: 50) for today"}
    ]


def test_an_accepted_send_is_counted(client: FlaskClient, notify_db_session: None, redis_store: redis.Redis) -> None:
    sender = create_sender()

    post_send(client, sender.api_key, "email", email_body(sender))

    assert (todays_count(redis_store, sender, "email"), todays_count(redis_store, sender, "sms")) == (1, 0)


def test_a_refused_send_is_not_counted(client: FlaskClient, notify_db_session: None, redis_store: redis.Redis) -> None:
    sender = create_sender()

    post_send(client, sender.api_key, "sms", sms_body(sender, personalisation={}))

    assert todays_count(redis_store, sender) == 0


def test_a_smoke_test_send_is_not_counted(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender()

    post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="07700900111"))

    assert todays_count(redis_store, sender) == 0


def test_a_test_key_send_is_not_counted(client: FlaskClient, notify_db_session: None, redis_store: redis.Redis) -> None:
    sender = create_sender(key_type="test")

    post_send(client, sender.api_key, "sms", sms_body(sender))

    assert todays_count(redis_store, sender) == 0


def test_a_test_key_may_send_when_the_daily_limit_is_reached(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(key_type="test", sms_message_limit=1)
    fill_todays_count(redis_store, sender, "sms", 1)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert response.status_code == 201


def test_a_send_whose_enqueue_failed_is_not_counted(
    notify_api: Flask,
    client: FlaskClient,
    notify_db_session: None,
    redis_store: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sender = create_sender()
    monkeypatch.setattr("app.celery.task_queue.queue_task", MagicMock(side_effect=OSError("broker down")))

    post_send(client, sender.api_key, "sms", sms_body(sender))

    assert todays_count(redis_store, sender) == 0


def test_an_international_sms_counts_against_both_sms_and_international_limits(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender()

    post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0123"))

    assert (todays_count(redis_store, sender), todays_count(redis_store, sender, "international_sms")) == (1, 1)


def test_a_service_over_its_international_limit_is_refused(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(international_sms_message_limit=1)
    post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0123"))

    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0124"))

    assert (response.status_code, errors_of(response)) == (
        429,
        [{"error": "TooManyRequestsError", "message": "Exceeded send limits (international_sms: 1) for today"}],
    )
    assert (todays_count(redis_store, sender), todays_count(redis_store, sender, "international_sms")) == (1, 1)


def test_a_uk_sms_is_sent_when_the_international_limit_is_reached(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(international_sms_message_limit=1)
    fill_todays_count(redis_store, sender, "international_sms", 1)

    response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert response.status_code == 201


def test_international_permission_is_checked_before_the_international_limit(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(permissions=["sms"], international_sms_message_limit=1)
    fill_todays_count(redis_store, sender, "international_sms", 1)

    response = post_send(client, sender.api_key, "sms", sms_body(sender, phone_number="+1 202 555 0123"))

    assert errors_of(response) == [
        {"error": "BadRequestError", "message": "Cannot send to international mobile numbers"}
    ]


def test_the_international_limit_is_checked_before_the_length(
    client: FlaskClient, notify_db_session: None, redis_store: redis.Redis
) -> None:
    sender = create_sender(international_sms_message_limit=1)
    fill_todays_count(redis_store, sender, "international_sms", 1)

    response = post_send(
        client,
        sender.api_key,
        "sms",
        sms_body(sender, phone_number="+1 202 555 0123", personalisation={"name": "x" * 1000}),
    )

    assert errors_of(response)[0]["error"] == "TooManyRequestsError"


def test_sends_go_on_when_redis_is_unreachable(
    notify_api: Flask,
    client: FlaskClient,
    notify_db_session: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = create_sender(rate_limit=1, sms_message_limit=0)
    monkeypatch.setitem(notify_api.extensions, "redis", make_redis_client("redis://127.0.0.1:1/0", 0.2))
    statsd = MagicMock()
    monkeypatch.setattr("app.limits.admission.get_statsd_client", lambda: statsd)

    with caplog.at_level(logging.WARNING, logger="app.limits.admission"):
        responses = [post_send(client, sender.api_key, "sms", sms_body(sender)) for _ in range(3)]

    assert [response.status_code for response in responses] == [201, 201, 201]
    assert stored_notification_count() == 3
    assert statsd.incr.call_count == 3
    assert "Redis unavailable" in caplog.text
