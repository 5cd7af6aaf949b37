"""Inbound-SMS provider fields: MMG's encoded text, provider times, and the forms of our numbers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

import pytest

from app.inbound_sms.provider_fields import (
    UK_TIME,
    decode_mmg_message,
    inbound_number_candidates,
    parse_provider_time,
)


def test_mmg_message_plus_is_a_space_and_percent_escapes_are_decoded() -> None:
    assert decode_mmg_message("Hi+there%2C+50%25+off%0Anew+line") == "Hi there, 50% off\nnew line"


@pytest.mark.parametrize(
    ("value", "naive_zone", "expected"),
    [
        ("2026-11-20 09:30:00", UTC, datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20+09%3A30%3A00", UTC, datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-07-01 10:00:00", UK_TIME, datetime(2026, 7, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01 10:00:00", UK_TIME, datetime(2026, 12, 1, 10, 0, tzinfo=UTC)),
        ("2026-07-01T10:00:00+02:00", UK_TIME, datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        ("yesterday", UTC, None),
        ("", UTC, None),
        (None, UTC, None),
    ],
    ids=["utc", "url-encoded", "uk-summer-time", "uk-winter-time", "with-offset", "unreadable", "empty", "missing"],
)
def test_provider_time_is_read_as_aware_utc(
    value: str | None, naive_zone: tzinfo | None, expected: datetime | None
) -> None:
    assert parse_provider_time(value, naive_zone=naive_zone) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("447700900001", ["07700900001", "447700900001"]),
        ("+447700900001", ["07700900001", "447700900001"]),
        ("07700900001", ["07700900001"]),
        ("40604", ["40604"]),
    ],
    ids=["international", "with-plus", "national", "short-code"],
)
def test_inbound_number_is_tried_in_national_form_first(number: str, expected: list[str]) -> None:
    assert inbound_number_candidates(number) == expected
