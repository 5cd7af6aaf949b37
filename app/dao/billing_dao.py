"""Billing facts: what was sent to providers per UK day and price, read from the notification tables, stored in
`ft_billing`, and the rates and free allowances they are priced with.

A notification counts once, whichever table holds it (it is in exactly one of `notifications` and
`notification_history`) and however many receipts or retries it had: receipts update its one row, and a retry sends
the same row again. Test-key notifications and those never handed to a provider (created, technical-failure, a
letter that failed validation or its virus scan, a cancelled letter) are not billed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import Date, Table, and_, case, cast, delete, func, literal, or_, select, text, true, union_all
from sqlalchemy.dialects.postgresql import insert

from app.extensions import db
from app.models import (
    AnnualBilling,
    FactBilling,
    KeyType,
    LetterRate,
    Notification,
    NotificationHistory,
    NotificationType,
    Rate,
    Service,
)
from app.statsd_decorators import statsd

UK_TIME_ZONE = "Europe/London"
NO_POSTAGE = "none"
UNKNOWN_PROVIDER = "unknown"
# Statuses a notification reaches only once a provider (or the printer) has taken it: the billed ones.
BILLABLE_STATUSES = ("sending", "sent", "delivered", "pending", "temporary-failure", "permanent-failure")
BILLABLE_LETTER_STATUSES = ("sending", "delivered", "returned-letter")
# pg_advisory_xact_lock's first key: the rebuilds of one day of `ft_billing` take turns.
FT_BILLING_LOCK_CLASS = 2301
MODELS = (Notification, NotificationHistory)


@dataclass(frozen=True)
class BillingFact:
    bst_date: date
    service_id: uuid.UUID
    template_id: uuid.UUID
    notification_type: str
    provider: str
    rate_multiplier: int
    international: bool
    postage: str
    rate: Decimal | None  # None: no rate was valid for it (a letter of more sheets than any rate, a gap in rates)
    notifications_sent: int
    billable_units: int


def _billable_rows(model: type[Notification] | type[NotificationHistory], start: datetime, end: datetime) -> Any:
    is_billable = or_(
        and_(model.notification_type != NotificationType.LETTER, model.status.in_(BILLABLE_STATUSES)),
        and_(model.notification_type == NotificationType.LETTER, model.status.in_(BILLABLE_LETTER_STATUSES)),
    )
    return select(
        model.service_id,
        model.template_id,
        model.notification_type,
        func.coalesce(model.sent_by, UNKNOWN_PROVIDER).label("provider"),
        func.coalesce(model.rate_multiplier, 1).label("rate_multiplier"),
        model.international,
        func.coalesce(model.postage, NO_POSTAGE).label("postage"),
        model.billable_units,
        model.created_at,
    ).where(model.created_at >= start, model.created_at < end, model.key_type != KeyType.TEST, is_billable)


def _rate_column(billable: Any) -> Any:
    """The rate valid when each notification was created: per fragment or email from `rates`, per letter of its
    sheet count and postage from `letter_rates`."""
    message_rate = (
        select(Rate.rate)
        .where(Rate.notification_type == billable.c.notification_type, Rate.valid_from <= billable.c.created_at)
        .order_by(Rate.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )
    letter_rate = (
        select(LetterRate.rate)
        .where(
            LetterRate.postage == billable.c.postage,
            LetterRate.sheet_count == billable.c.billable_units,
            LetterRate.valid_from <= billable.c.created_at,
        )
        .order_by(LetterRate.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )
    return case((billable.c.notification_type == NotificationType.LETTER, letter_rate), else_=message_rate)


@statsd(namespace="dao")
def dao_list_billing_facts_from_notifications(
    start: datetime, end: datetime, *, service_id: uuid.UUID | None = None
) -> list[BillingFact]:
    """Aggregate the billed notifications created in [``start``, ``end``) (of one service, or all) by UK day and
    every `ft_billing` key; ordered by day."""
    if service_id is None:
        # Each service's rows through its own (service_id, created_at) index, joined laterally: neither table has an
        # index on created_at alone, and history is the largest table there is.
        services = typing_cast(Table, Service.__table__).alias("billed_services")
        per_table = [_billable_rows(model, start, end).where(model.service_id == services.c.id) for model in MODELS]
        billable: Any = union_all(*per_table).lateral("billable")
        from_clause: Any = services.join(billable, true())
    else:
        per_table = [_billable_rows(model, start, end).where(model.service_id == service_id) for model in MODELS]
        billable = union_all(*per_table).subquery("billable")
        from_clause = billable
    bst_date = cast(func.timezone(UK_TIME_ZONE, billable.c.created_at), Date).label("bst_date")
    units = case((billable.c.notification_type == NotificationType.EMAIL, literal(1)), else_=billable.c.billable_units)
    keys = (
        bst_date,
        billable.c.service_id,
        billable.c.template_id,
        billable.c.notification_type,
        billable.c.provider,
        billable.c.rate_multiplier,
        billable.c.international,
        billable.c.postage,
        _rate_column(billable).label("rate"),
    )
    query = select(*keys, func.count().label("notifications_sent"), func.sum(units).label("billable_units"))
    rows = db.session.execute(query.select_from(from_clause).group_by(*keys).order_by(bst_date)).all()
    return [_fact(row) for row in rows]


def _fact(row: Any) -> BillingFact:
    return BillingFact(
        bst_date=row.bst_date,
        service_id=row.service_id,
        template_id=row.template_id,
        notification_type=row.notification_type,
        provider=row.provider,
        rate_multiplier=int(row.rate_multiplier),
        international=bool(row.international),
        postage=row.postage,
        rate=row.rate,
        notifications_sent=int(row.notifications_sent),
        billable_units=int(row.billable_units),
    )


@statsd(namespace="dao")
def dao_replace_ft_billing_for_day(bst_date: date, facts: Sequence[BillingFact]) -> None:
    """Replace every `ft_billing` row of ``bst_date`` with ``facts`` (all priced) in one transaction; commits.
    Two rebuilds of the same day take turns, so the day always holds exactly one rebuild's rows."""
    db.session.execute(
        text("SELECT pg_advisory_xact_lock(:lock_class, :day)"),
        {"lock_class": FT_BILLING_LOCK_CLASS, "day": bst_date.toordinal()},
    )
    db.session.execute(delete(FactBilling).where(FactBilling.bst_date == bst_date))
    if facts:
        db.session.execute(
            insert(FactBilling),
            [
                {
                    "bst_date": fact.bst_date,
                    "service_id": fact.service_id,
                    "template_id": fact.template_id,
                    "notification_type": fact.notification_type,
                    "provider": fact.provider,
                    "rate_multiplier": fact.rate_multiplier,
                    "international": fact.international,
                    "postage": fact.postage,
                    "rate": fact.rate,
                    "notifications_sent": fact.notifications_sent,
                    "billable_units": fact.billable_units,
                }
                for fact in facts
            ],
        )
    db.session.commit()


@statsd(namespace="dao")
def dao_list_ft_billing_for_service(service_id: uuid.UUID, *, first_day: date, last_day: date) -> list[BillingFact]:
    """The service's `ft_billing` rows from ``first_day`` to ``last_day`` inclusive, ordered by day."""
    rows = (
        db.session.execute(
            select(FactBilling)
            .where(
                FactBilling.service_id == service_id,
                FactBilling.bst_date >= first_day,
                FactBilling.bst_date <= last_day,
            )
            .order_by(FactBilling.bst_date, FactBilling.notification_type, FactBilling.rate)
        )
        .scalars()
        .all()
    )
    return [_fact(row) for row in rows]


@statsd(namespace="dao")
def dao_get_annual_billing(service_id: uuid.UUID, financial_year_start: int) -> AnnualBilling:
    """The service's allowance for the year; raises NoResultFound when none was set."""
    return db.session.execute(
        select(AnnualBilling).where(
            AnnualBilling.service_id == service_id, AnnualBilling.financial_year_start == financial_year_start
        )
    ).scalar_one()


@statsd(namespace="dao")
def dao_create_or_update_annual_billing(
    service_id: uuid.UUID, *, financial_year_start: int, free_sms_fragment_limit: int
) -> AnnualBilling:
    """Set the service's free SMS fragments for the year, replacing any earlier figure; commits."""
    statement = insert(AnnualBilling).values(
        service_id=service_id,
        financial_year_start=financial_year_start,
        free_sms_fragment_limit=free_sms_fragment_limit,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[AnnualBilling.service_id, AnnualBilling.financial_year_start],
            set_={"free_sms_fragment_limit": free_sms_fragment_limit, "updated_at": func.now()},
        )
    )
    db.session.commit()
    db.session.expire_all()
    return dao_get_annual_billing(service_id, financial_year_start)


@statsd(namespace="dao")
def dao_create_rate(*, notification_type: str, valid_from: datetime, rate: Decimal) -> Rate:
    """Add a dated SMS (per fragment) or email rate; commits."""
    row = Rate(notification_type=notification_type, valid_from=valid_from, rate=rate)
    db.session.add(row)
    db.session.commit()
    return row


@statsd(namespace="dao")
def dao_create_letter_rate(*, postage: str, sheet_count: int, valid_from: datetime, rate: Decimal) -> LetterRate:
    """Add a dated rate for a letter of ``sheet_count`` sheets at ``postage``; commits."""
    row = LetterRate(postage=postage, sheet_count=sheet_count, valid_from=valid_from, rate=rate)
    db.session.add(row)
    db.session.commit()
    return row
