"""Add billing: dated `rates` (SMS per fragment, email per message), dated `letter_rates` (by sheets and postage),
`annual_billing` (a service's free SMS fragments per financial year) and the nightly fact table `ft_billing`.

Seeded figures: SMS £0.0227 a fragment from 1 April 2024 (the rate in the Notify reference's examples and Herald's
`SMS_RATE_POUNDS` default); email free. The europe/rest-of-world letter rates from 3 May 2026 (£1.80 for 1 sheet to
£1.96 for 5) and the economy ones from 1 July 2026 (£0.638 to £0.823) have the end points GOV.UK Notify published;
the sheets between and every first/second class figure are illustrative. Operators set their own rates by adding
dated rows (`flask create-rate`, `flask create-letter-rate`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:40:00
"""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FROM_APRIL_2024 = datetime(2024, 3, 31, 23, 0, tzinfo=UTC)  # midnight in London, 1 April 2024 (BST)
FROM_MAY_2026 = datetime(2026, 5, 2, 23, 0, tzinfo=UTC)
FROM_JULY_2026 = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)

LETTER_RATES_2024 = {
    "first": ("0.9500", "1.0100", "1.0700", "1.1300", "1.1900"),
    "second": ("0.6800", "0.7400", "0.8000", "0.8600", "0.9200"),
    "economy": ("0.5900", "0.6500", "0.7100", "0.7700", "0.8300"),
    "europe": ("1.6000", "1.6600", "1.7200", "1.7800", "1.8400"),
    "rest-of-world": ("1.6000", "1.6600", "1.7200", "1.7800", "1.8400"),
}
LETTER_RATES_LATER = (
    (FROM_MAY_2026, "europe", ("1.8000", "1.8400", "1.8800", "1.9200", "1.9600")),
    (FROM_MAY_2026, "rest-of-world", ("1.8000", "1.8400", "1.8800", "1.9200", "1.9600")),
    (FROM_JULY_2026, "economy", ("0.6380", "0.6840", "0.7310", "0.7770", "0.8230")),
)


def upgrade() -> None:
    rates = op.create_table(
        "rates",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notification_type", sa.String(length=20), nullable=False),
        sa.Column("rate", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.CheckConstraint("notification_type IN ('sms', 'email')", name="ck_rates_notification_type"),
        sa.CheckConstraint("rate >= 0", name="ck_rates_rate"),
        sa.UniqueConstraint("notification_type", "valid_from", name="uq_rates_notification_type_valid_from"),
    )
    letter_rates = op.create_table(
        "letter_rates",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sheet_count", sa.Integer(), nullable=False),
        sa.Column("postage", sa.String(length=20), nullable=False),
        sa.Column("rate", sa.Numeric(precision=12, scale=4), nullable=False),
        sa.CheckConstraint("sheet_count >= 1", name="ck_letter_rates_sheet_count"),
        sa.CheckConstraint("rate >= 0", name="ck_letter_rates_rate"),
        sa.UniqueConstraint("postage", "sheet_count", "valid_from", name="uq_letter_rates_postage_sheets_valid_from"),
    )
    op.create_table(
        "annual_billing",
        sa.Column("service_id", UUID(as_uuid=True), sa.ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("financial_year_start", sa.Integer(), primary_key=True),
        sa.Column("free_sms_fragment_limit", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("free_sms_fragment_limit >= 0", name="ck_annual_billing_free_sms_fragment_limit"),
    )
    op.create_table(
        "ft_billing",
        sa.Column("bst_date", sa.Date(), primary_key=True),
        sa.Column("service_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("template_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("notification_type", sa.String(length=20), primary_key=True),
        sa.Column("provider", sa.String(length=50), primary_key=True),
        sa.Column("rate_multiplier", sa.Integer(), primary_key=True),
        sa.Column("international", sa.Boolean(), primary_key=True),
        sa.Column("postage", sa.String(length=20), primary_key=True),
        sa.Column("rate", sa.Numeric(precision=12, scale=4), primary_key=True),
        sa.Column("notifications_sent", sa.Integer(), nullable=False),
        sa.Column("billable_units", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("now()")),
    )
    op.create_index("ix_ft_billing_service_id_bst_date", "ft_billing", ["service_id", "bst_date"])
    op.bulk_insert(
        rates,
        [
            {"id": uuid.uuid4(), "valid_from": FROM_APRIL_2024, "notification_type": "sms", "rate": Decimal("0.0227")},
            {"id": uuid.uuid4(), "valid_from": FROM_APRIL_2024, "notification_type": "email", "rate": Decimal("0")},
        ],
    )
    rows = [(FROM_APRIL_2024, postage, figures) for postage, figures in LETTER_RATES_2024.items()]
    op.bulk_insert(
        letter_rates,
        [
            {
                "id": uuid.uuid4(),
                "valid_from": valid_from,
                "sheet_count": sheets,
                "postage": postage,
                "rate": Decimal(rate),
            }
            for valid_from, postage, figures in (*rows, *LETTER_RATES_LATER)
            for sheets, rate in enumerate(figures, start=1)
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_ft_billing_service_id_bst_date", table_name="ft_billing")
    op.drop_table("ft_billing")
    op.drop_table("annual_billing")
    op.drop_table("letter_rates")
    op.drop_table("rates")
