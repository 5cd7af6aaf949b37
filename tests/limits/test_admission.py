"""Admitting a send: one token from the bucket and one reserved place on today's counter, in one round trip."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any
from unittest.mock import MagicMock

import pytest
import redis

from app.errors import RateLimitError, TooManyRequestsError
from app.limits.admission import SendAllowance, admit_send, take_rate_limit_token
from app.limits.daily import daily_count_key
from app.limits.rate_limit import rate_limit_bucket_key
from app.serialised_models import SerialisedService

TODAY = date(2026, 3, 1)

MakeService = Callable[..., SerialisedService]


def admit(client: redis.Redis | None, service: SerialisedService, **overrides: Any) -> SendAllowance:
    arguments: dict[str, Any] = {
        "key_type": "normal",
        "notification_type": "sms",
        "day": TODAY,
        "interval_seconds": 60,
        "trial_daily_limit": 50,
    }
    arguments.update(overrides)
    return admit_send(client, service=service, **arguments)


def count(client: redis.Redis, service: SerialisedService, limit_name: str = "sms") -> int:
    return int(client.get(daily_count_key(service.id, limit_name, TODAY)) or 0)


def test_an_admitted_send_reserves_one_place_on_todays_counter(
    redis_store: redis.Redis, make_service: MakeService
) -> None:
    service = make_service()

    admit(redis_store, service)

    assert count(redis_store, service) == 1


def test_an_admitted_send_takes_one_token_from_a_full_bucket(
    redis_store: redis.Redis, make_service: MakeService
) -> None:
    service = make_service(rate_limit=600)

    admit(redis_store, service)

    tokens = float(redis_store.hget(rate_limit_bucket_key(service.id, "normal"), "tokens"))
    assert 200 <= tokens < 200.1


def test_todays_counter_expires_within_a_day(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()

    admit(redis_store, service)

    assert 0 < redis_store.ttl(daily_count_key(service.id, "sms", TODAY)) <= 24 * 60 * 60


def test_admission_is_one_round_trip_to_redis(
    redis_store: redis.Redis, make_service: MakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = make_service()
    admit(redis_store, service)  # loads the script once
    commands: list[Any] = []
    execute = redis_store.execute_command
    monkeypatch.setattr(
        redis_store, "execute_command", lambda *args, **kw: commands.append(args[0]) or execute(*args, **kw)
    )

    admit(redis_store, service)

    assert commands == ["EVALSHA"]


@pytest.mark.parametrize(
    ("key_type", "shown_as"), [("normal", "LIVE"), ("team", "TEAM"), ("test", "TEST")], ids=["live", "team", "test"]
)
def test_an_empty_bucket_refuses_with_the_key_type_and_limit(
    redis_store: redis.Redis, make_service: MakeService, key_type: str, shown_as: str
) -> None:
    service = make_service(rate_limit=3)  # capacity 2
    admit(redis_store, service, key_type=key_type)
    admit(redis_store, service, key_type=key_type)

    with pytest.raises(RateLimitError) as refused:
        admit(redis_store, service, key_type=key_type)

    assert refused.value.message == f"Exceeded rate limit for key type {shown_as} of 3 requests per 60 seconds"


def test_a_rate_limited_send_reserves_nothing(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(rate_limit=3)
    admit(redis_store, service)
    admit(redis_store, service)

    with pytest.raises(RateLimitError):
        admit(redis_store, service)

    assert count(redis_store, service) == 2


def test_each_key_type_has_its_own_bucket(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(rate_limit=3)
    admit(redis_store, service, key_type="team")
    admit(redis_store, service, key_type="team")

    allowance = admit(redis_store, service, key_type="normal")

    assert allowance.reserved_keys == [daily_count_key(service.id, "sms", TODAY)]


def test_an_empty_bucket_refills_with_time(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(rate_limit=3)  # 0.05 tokens a second
    admit(redis_store, service)
    admit(redis_store, service)
    bucket = rate_limit_bucket_key(service.id, "normal")
    redis_store.hset(bucket, "at", float(redis_store.hget(bucket, "at")) - 21)  # 21 s ago: 1.05 tokens since

    allowance = admit(redis_store, service)

    assert count(redis_store, service) == 3
    assert allowance.reserved_keys


def test_a_full_day_refuses_with_the_type_and_limit(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(email_message_limit=2)
    admit(redis_store, service, notification_type="email")
    admit(redis_store, service, notification_type="email")

    with pytest.raises(TooManyRequestsError) as refused:
        admit(redis_store, service, notification_type="email")

    assert refused.value.message == "Exceeded send limits (email: 2) for today"
    assert count(redis_store, service, "email") == 2


def test_a_trial_service_is_refused_after_50_a_day(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(restricted=True)
    redis_store.set(daily_count_key(service.id, "sms", TODAY), 50)

    with pytest.raises(TooManyRequestsError) as refused:
        admit(redis_store, service)

    assert refused.value.message == "Exceeded send limits (sms: 50) for today"


def test_sms_and_email_are_counted_apart(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(sms_message_limit=1)
    admit(redis_store, service)

    admit(redis_store, service, notification_type="email")

    assert (count(redis_store, service), count(redis_store, service, "email")) == (1, 1)


def test_test_keys_are_not_counted(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(sms_message_limit=1)
    redis_store.set(daily_count_key(service.id, "sms", TODAY), 1)

    allowance = admit(redis_store, service, key_type="test")

    assert allowance.reserved_keys == []
    assert count(redis_store, service) == 1


def test_test_keys_still_take_tokens(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(rate_limit=3)
    admit(redis_store, service, key_type="test")
    admit(redis_store, service, key_type="test")

    with pytest.raises(RateLimitError):
        admit(redis_store, service, key_type="test")


def test_a_released_place_is_given_back(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()
    allowance = admit(redis_store, service)

    allowance.release()

    assert count(redis_store, service) == 0


def test_a_kept_place_stays_counted(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()
    allowance = admit(redis_store, service)

    allowance.keep()
    allowance.release()

    assert count(redis_store, service) == 1


def test_releasing_twice_gives_back_one_place(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()
    admit(redis_store, service).keep()
    allowance = admit(redis_store, service)

    allowance.release()
    allowance.release()

    assert count(redis_store, service) == 1


def test_a_send_that_fails_gives_its_place_back(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()

    with pytest.raises(ValueError, match="refused later"), admit(redis_store, service):
        raise ValueError("refused later")

    assert count(redis_store, service) == 0


def test_an_international_sms_counts_on_both_counters(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()
    allowance = admit(redis_store, service)

    allowance.reserve_international()

    assert (count(redis_store, service), count(redis_store, service, "international_sms")) == (1, 1)


def test_a_full_international_day_refuses_with_its_limit(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service(international_sms_message_limit=1)
    admit(redis_store, service).reserve_international()
    allowance = admit(redis_store, service)

    with pytest.raises(TooManyRequestsError) as refused:
        allowance.reserve_international()

    assert refused.value.message == "Exceeded send limits (international_sms: 1) for today"
    assert count(redis_store, service, "international_sms") == 1


def test_a_released_international_sms_gives_back_both_places(
    redis_store: redis.Redis, make_service: MakeService
) -> None:
    service = make_service()
    allowance = admit(redis_store, service)
    allowance.reserve_international()

    allowance.release()

    assert (count(redis_store, service), count(redis_store, service, "international_sms")) == (0, 0)


def test_test_keys_are_not_counted_as_international(redis_store: redis.Redis, make_service: MakeService) -> None:
    service = make_service()
    allowance = admit(redis_store, service, key_type="test")

    allowance.reserve_international()

    assert count(redis_store, service, "international_sms") == 0


def test_without_redis_nothing_is_limited(make_service: MakeService) -> None:
    allowance = admit(None, make_service(rate_limit=0))

    assert allowance.reserved_keys == []


def test_an_unreachable_redis_fails_open_with_a_warning_and_a_metric(
    dead_redis: redis.Redis,
    make_service: MakeService,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    statsd = MagicMock()
    monkeypatch.setattr("app.limits.admission.get_statsd_client", lambda: statsd)
    service = make_service()

    with caplog.at_level(logging.WARNING, logger="app.limits.admission"):
        allowance = admit(dead_redis, service)

    assert allowance.reserved_keys == []
    statsd.incr.assert_called_once_with("rate-limit.fail-open")
    assert [record.service_id for record in caplog.records] == [str(service.id)]


def test_giving_back_places_to_an_unreachable_redis_fails_open(
    dead_redis: redis.Redis, make_service: MakeService, caplog: pytest.LogCaptureFixture
) -> None:
    service = make_service()
    allowance = SendAllowance(client=dead_redis, service_id=service.id, day=TODAY, limits=None, reserved_keys=["k"])

    with caplog.at_level(logging.WARNING, logger="app.limits.admission"):
        allowance.release()

    assert "Redis unavailable" in caplog.text


def take_token(client: redis.Redis | None, service: SerialisedService, key_type: str = "normal") -> None:
    take_rate_limit_token(client, service=service, key_type=key_type, interval_seconds=60)


def test_a_bulk_request_takes_a_token_from_the_bucket_single_sends_use(
    redis_store: redis.Redis, make_service: MakeService
) -> None:
    service = make_service(rate_limit=3)  # capacity 2
    take_token(redis_store, service)
    admit(redis_store, service)

    with pytest.raises(RateLimitError) as refused:
        take_token(redis_store, service)

    assert refused.value.message == "Exceeded rate limit for key type LIVE of 3 requests per 60 seconds"
    assert count(redis_store, service) == 1  # the single send; tokens alone count no daily limit


def test_taking_a_token_from_an_unreachable_redis_fails_open(
    dead_redis: redis.Redis, make_service: MakeService, caplog: pytest.LogCaptureFixture
) -> None:
    service = make_service(rate_limit=1)

    with caplog.at_level(logging.WARNING, logger="app.limits.admission"):
        take_token(dead_redis, service)
        take_token(dead_redis, service)

    assert [record.service_id for record in caplog.records] == [str(service.id)] * 2
