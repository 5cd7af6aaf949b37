"""Request checks for the billing admin endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.errors import InvalidRequest

FIRST_FINANCIAL_YEAR = 2000
LAST_FINANCIAL_YEAR = 2100
LARGEST_BIG_INTEGER = 2**63 - 1  # a PostgreSQL bigint column
YEAR_MESSAGE = f"must be a year from {FIRST_FINANCIAL_YEAR} to {LAST_FINANCIAL_YEAR}"


class FreeSmsFragmentLimitSchema(Schema):
    free_sms_fragment_limit = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=LARGEST_BIG_INTEGER)
    )
    financial_year_start = fields.Integer(
        strict=True, validate=validate.Range(min=FIRST_FINANCIAL_YEAR, max=LAST_FINANCIAL_YEAR, error=YEAR_MESSAGE)
    )


def parse_year_argument(name: str, value: str | None) -> int | None:
    """A query-string year: four ASCII digits in range, or None when absent; raises InvalidRequest otherwise."""
    if value is None:
        return None
    # str.isdigit() is true for "²", which int() refuses: only ASCII digits, and four of them, are read.
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise InvalidRequest({name: [YEAR_MESSAGE]}, 400)
    year = int(value)
    if not FIRST_FINANCIAL_YEAR <= year <= LAST_FINANCIAL_YEAR:
        raise InvalidRequest({name: [YEAR_MESSAGE]}, 400)
    return year
