"""Returned letters: the returned_letters table, and `returned_letter` service callbacks.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OLD_CALLBACK_TYPES = "'delivery_status', 'complaint', 'inbound_sms'"
NEW_CALLBACK_TYPES = OLD_CALLBACK_TYPES + ", 'returned_letter'"


def upgrade() -> None:
    op.drop_constraint("ck_callback_type", "service_callback_api", type_="check")
    op.create_check_constraint("ck_callback_type", "service_callback_api", f"callback_type IN ({NEW_CALLBACK_TYPES})")
    op.create_table(
        "returned_letters",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("notification_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("service_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("reported_at", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_id"),
    )
    op.create_index("ix_returned_letters_service_id", "returned_letters", ["service_id"])


def downgrade() -> None:
    op.drop_index("ix_returned_letters_service_id", table_name="returned_letters")
    op.drop_table("returned_letters")
    op.execute("DELETE FROM service_callback_api WHERE callback_type = 'returned_letter'")
    op.drop_constraint("ck_callback_type", "service_callback_api", type_="check")
    op.create_check_constraint("ck_callback_type", "service_callback_api", f"callback_type IN ({OLD_CALLBACK_TYPES})")
