"""Shared arrangements for billing tests: dated rates and notifications of every billed kind."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete

from app.extensions import db
from app.models import LetterRate, Notification, Rate, Template
from tests.factories import create_letter_rate, create_notification, create_rate, create_template

RATES_FROM = datetime(2020, 1, 1, tzinfo=UTC)


def delete_all_rates() -> None:
    """Remove every rate: the first test of a session still sees the ones the migration seeded."""
    db.session.execute(delete(Rate))
    db.session.execute(delete(LetterRate))
    db.session.commit()


def create_standard_rates() -> None:
    """Only these rates: SMS £0.0227 a fragment, email free, second-class letters £0.50 + £0.10 a sheet, first class
    £0.80 (1 sheet)."""
    delete_all_rates()
    create_rate(notification_type="sms", valid_from=RATES_FROM, rate="0.0227")
    create_rate(notification_type="email", valid_from=RATES_FROM, rate="0")
    for sheets in range(1, 6):
        create_letter_rate(postage="second", sheet_count=sheets, valid_from=RATES_FROM, rate=f"0.{4 + sheets}0")
    create_letter_rate(postage="first", sheet_count=1, valid_from=RATES_FROM, rate="0.80")


def create_letter(
    *, template: Template, sheets: int, postage: str, status: str = "delivered", **values: Any
) -> Notification:
    """A letter as the letters code leaves it once printed: its sheets as billable units and its postage."""
    notification = create_notification(template=template, status=status, billable_units=sheets, **values)
    notification.postage = postage
    db.session.commit()
    return notification


def create_letter_template(**values: Any) -> Template:
    return create_template(template_type="letter", content="Dear ((name))", subject="Your letter", **values)
