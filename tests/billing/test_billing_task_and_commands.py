"""The nightly task builds yesterday and the day before; the CLI rebuilds a past range and adds dated rates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import select

from app.celery.celery_app import beat_schedule
from app.celery.nightly_tasks import create_nightly_billing
from app.celery.queues import TaskNames
from app.extensions import db
from app.models import FactBilling, LetterRate, Rate
from tests.billing.billed import create_standard_rates, delete_all_rates
from tests.factories import create_notification, create_template


def built_days() -> list[date]:
    db.session.expire_all()
    return list(db.session.execute(select(FactBilling.bst_date).order_by(FactBilling.bst_date)).scalars())


@pytest.fixture
def three_days_of_sms(notify_db_session: None) -> None:
    create_standard_rates()
    template = create_template()
    for day in (7, 8, 9):
        create_notification(
            template=template, status="delivered", billable_units=1, created_at=datetime(2024, 5, day, 11, tzinfo=UTC)
        )


@freeze_time(datetime(2024, 5, 10, 0, 15, tzinfo=UTC))
def test_the_nightly_task_builds_the_two_days_before_today(three_days_of_sms: None) -> None:
    assert create_nightly_billing() == 2

    assert built_days() == [date(2024, 5, 8), date(2024, 5, 9)]


def test_beat_runs_the_nightly_billing_after_midnight() -> None:
    entry = beat_schedule()["create-nightly-billing"]

    assert entry["task"] == TaskNames.CREATE_NIGHTLY_BILLING == "create_nightly_billing"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {15})


def test_the_rebuild_command_rebuilds_each_day_of_a_range(notify_api: Flask, three_days_of_sms: None) -> None:
    result = notify_api.test_cli_runner().invoke(
        args=["rebuild-ft-billing", "--start-date", "2024-05-07", "--end-date", "2024-05-08"]
    )

    assert result.exit_code == 0, result.output
    assert "Rebuilt ft_billing for 2 days" in result.output
    assert built_days() == [date(2024, 5, 7), date(2024, 5, 8)]


@pytest.mark.parametrize(
    "dates",
    [
        ["--start-date", "2024-05-08", "--end-date", "2024-05-07"],
        ["--start-date", "2000-01-01", "--end-date", "2024-01-01"],
        ["--start-date", "10/05/2024"],
    ],
    ids=["backwards", "too-long", "not-iso"],
)
def test_the_rebuild_command_refuses_a_bad_range(notify_api: Flask, notify_db_session: None, dates: list[str]) -> None:
    result = notify_api.test_cli_runner().invoke(args=["rebuild-ft-billing", *dates])

    assert result.exit_code == 2
    assert built_days() == []


def test_the_rate_commands_add_rates_from_london_midnight(notify_api: Flask, notify_db_session: None) -> None:
    delete_all_rates()
    runner = notify_api.test_cli_runner()

    sms = runner.invoke(
        args=["create-rate", "--notification-type", "sms", "--valid-from", "2025-04-01", "--rate", "0.0233"]
    )
    letter = runner.invoke(
        args=[
            "create-letter-rate",
            "--postage",
            "economy",
            "--sheet-count",
            "2",
            "--valid-from",
            "2025-04-01",
            "--rate",
            "0.70",
        ]
    )
    refused = runner.invoke(
        args=["create-rate", "--notification-type", "sms", "--valid-from", "2025-04-01", "--rate", "NaN"]
    )

    assert (sms.exit_code, letter.exit_code, refused.exit_code) == (0, 0, 2)
    rate = db.session.execute(select(Rate)).scalar_one()
    assert (rate.valid_from, rate.rate) == (datetime(2025, 3, 31, 23, 0, tzinfo=UTC), Decimal("0.0233"))
    letter_rate = db.session.execute(select(LetterRate)).scalar_one()
    assert (letter_rate.postage, letter_rate.sheet_count, letter_rate.rate) == ("economy", 2, Decimal("0.7000"))
