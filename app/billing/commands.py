"""Flask CLI commands for billing: rebuild `ft_billing` for past days, add dated rates."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import click

from app.billing.calendar import UK_TIME_ZONE
from app.billing.facts import MAX_REBUILD_DAYS, build_ft_billing_for_days
from app.dao.billing_dao import dao_create_letter_rate, dao_create_rate
from app.models import LetterPostage

RATE = click.types.FuncParamType(Decimal)


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UK_TIME_ZONE)


@click.command("rebuild-ft-billing")
@click.option("--start-date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="First UK day.")
@click.option("--end-date", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last UK day (default: the first).")
def rebuild_ft_billing_command(start_date: datetime, end_date: datetime | None) -> None:
    """Rebuild the billing facts of each UK day from START to END inclusive (each day replaced whole)."""
    first_day = start_date.date()
    last_day = (end_date or start_date).date()
    if last_day < first_day or (last_day - first_day).days >= MAX_REBUILD_DAYS:
        raise click.BadParameter(f"end-date must be on or after start-date and within {MAX_REBUILD_DAYS} days")
    built = build_ft_billing_for_days(first_day, last_day)
    click.echo(f"Rebuilt ft_billing for {len(built)} days, {first_day.isoformat()} to {last_day.isoformat()}")


@click.command("create-rate")
@click.option("--notification-type", required=True, type=click.Choice(["sms", "email"]))
@click.option("--valid-from", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="From this UK day.")
@click.option("--rate", required=True, type=RATE, help="Pounds per SMS fragment or per email, e.g. 0.0227.")
def create_rate_command(notification_type: str, valid_from: datetime, rate: Decimal) -> None:
    """Add a dated SMS or email rate (days already built keep their price until rebuilt)."""
    if not rate.is_finite() or rate < 0:
        raise click.BadParameter("rate must be a number of pounds, 0 or more")
    dao_create_rate(notification_type=notification_type, valid_from=_uk_midnight(valid_from.date()), rate=rate)
    click.echo(f"{notification_type} costs £{rate} from {valid_from.date().isoformat()}")


@click.command("create-letter-rate")
@click.option("--postage", required=True, type=click.Choice([postage.value for postage in LetterPostage]))
@click.option("--sheet-count", required=True, type=click.IntRange(1, 100))
@click.option("--valid-from", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="From this UK day.")
@click.option("--rate", required=True, type=RATE, help="Pounds per letter of that many sheets.")
def create_letter_rate_command(postage: str, sheet_count: int, valid_from: datetime, rate: Decimal) -> None:
    """Add a dated rate for letters of SHEET_COUNT sheets at POSTAGE."""
    if not rate.is_finite() or rate < 0:
        raise click.BadParameter("rate must be a number of pounds, 0 or more")
    day = valid_from.date()
    dao_create_letter_rate(postage=postage, sheet_count=sheet_count, valid_from=_uk_midnight(day), rate=rate)
    click.echo(f"A {sheet_count}-sheet {postage} letter costs £{rate} from {day.isoformat()}")


BILLING_COMMANDS = (rebuild_ft_billing_command, create_rate_command, create_letter_rate_command)
