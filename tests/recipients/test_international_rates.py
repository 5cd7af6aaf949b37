"""Tests for the international SMS rate table."""

import pytest

from app.recipients.international_rates import (
    DEFAULT_RATE,
    INTERNATIONAL_RATES,
    UK_RATE,
    InternationalRate,
    international_rate,
)


@pytest.mark.parametrize(
    ("prefix", "rate"),
    [
        ("1", InternationalRate(1, False)),
        ("7", InternationalRate(10, True)),
        ("33", InternationalRate(2, True)),
        ("44", InternationalRate(1, True)),
        ("49", InternationalRate(4, True)),
        ("91", InternationalRate(3, True)),
        ("353", InternationalRate(3, True)),
    ],
    ids=["us-canada", "russia", "france", "crown-dependencies", "germany", "india", "ireland"],
)
def test_listed_countries_have_their_cited_rate(prefix, rate):
    assert international_rate(prefix) == rate


def test_an_unlisted_country_gets_the_default_rate():
    assert international_rate("376") == DEFAULT_RATE == InternationalRate(4, False)


def test_the_uk_rate_is_one_with_receipts():
    assert InternationalRate(1, True) == UK_RATE


def test_every_listed_multiplier_is_positive():
    assert all(rate.rate_multiplier >= 1 for rate in INTERNATIONAL_RATES.values())


def test_every_listed_prefix_is_a_calling_code():
    assert all(prefix.isdigit() and 1 <= len(prefix) <= 3 for prefix in INTERNATIONAL_RATES)
