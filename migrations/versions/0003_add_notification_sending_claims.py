"""Add the sending claim lease: when a worker claimed a notification (created -> sending) before calling a provider.

A `sending` notification without `sent_at` whose claim is older than the lease belongs to a worker that died
before it could record the provider's answer; a redelivered task or the beat safety net may claim it again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 06:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("sending_claimed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_notifications_unrecorded_sending_claims",
        "notifications",
        ["sending_claimed_at"],
        unique=False,
        postgresql_where=sa.text("notification_status = 'sending' AND sent_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_unrecorded_sending_claims", table_name="notifications")
    op.drop_column("notifications", "sending_claimed_at")
