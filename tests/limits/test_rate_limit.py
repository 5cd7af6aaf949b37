"""The token bucket's shape: refill rate, capacity and key."""

from __future__ import annotations

import uuid

import pytest

from app.limits.rate_limit import rate_limit_bucket_key, token_bucket_for


@pytest.mark.parametrize(
    ("rate_limit", "capacity"),
    [(3000, 1000), (600, 201), (60, 21), (3, 2), (100_000, 1000)],
    ids=["default-is-capped-at-1000", "600-a-minute", "60-a-minute", "3-a-minute", "huge-is-capped"],
)
def test_bucket_capacity_is_a_third_of_the_limit_plus_one_up_to_1000(rate_limit: int, capacity: int) -> None:
    assert token_bucket_for(rate_limit, 60).capacity == capacity


def test_bucket_refills_at_the_limit_spread_over_the_interval() -> None:
    assert token_bucket_for(3000, 60).refill_per_second == 50


def test_an_idle_bucket_expires_once_it_would_be_full_again() -> None:
    assert token_bucket_for(3000, 60).idle_expiry_seconds == 21


def test_bucket_key_names_the_service_and_key_type() -> None:
    service_id = uuid.UUID("7f9ddcad-8ee4-4f8a-9c8e-4c0a8a2bcb36")

    assert rate_limit_bucket_key(service_id, "normal") == "7f9ddcad-8ee4-4f8a-9c8e-4c0a8a2bcb36-tokens-normal"
