"""A year's usage as CSV (RFC 4180: comma separated, CRLF line ends, quoted only where needed) for spreadsheets.

Text that came from a tenant (the service name) is defused: a cell a spreadsheet would read as a formula (starting
with = + - @, or a tab or carriage return that some strip first) gets a leading apostrophe. Numbers are written as
plain numbers so they stay numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from app.billing.usage import ChannelUsage, YearUsage, format_cost

HEADER = (
    "service_name",
    "financial_year_start",
    "month",
    "notification_type",
    "notifications",
    "billable_units",
    "chargeable_units",
    "cost_pounds",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TOTAL_MONTH = "total"


def defused(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: never read as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _row(service_name: str, financial_year_start: int, month: str, usage: ChannelUsage) -> list[str | int | Decimal]:
    return [
        defused(service_name),
        financial_year_start,
        month,
        usage.notification_type,
        usage.notifications,
        usage.billable_units,
        usage.chargeable_units,
        Decimal(format_cost(usage.cost)),
    ]


def usage_csv(service_name: str, usage: YearUsage) -> str:
    """One row per month and channel (months as YYYY-MM), then one total row per channel."""
    year = usage.allowance.financial_year_start
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(HEADER)
    for month in usage.months:
        for channel in month.channels:
            writer.writerow(_row(service_name, year, month.month.strftime("%Y-%m"), channel))
    for total in usage.totals:
        writer.writerow(_row(service_name, year, TOTAL_MONTH, total))
    return output.getvalue()
