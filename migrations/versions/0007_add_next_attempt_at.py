"""Add `next_attempt_at`: the time before which a `created` notification is not to be handed to a provider.

A notification waiting for a retry countdown (or for a receipt that may still come) records when it is due; the
safety net queues a `created` notification again only once it is overdue, so it can run every few seconds without
sending anything early. Notifications already waiting for a retry were marked by touching `updated_at` with a
countdown of 5 minutes: they are given that due time.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "ix_notifications_created_due_at"


def upgrade() -> None:
    op.add_column("notifications", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE notifications SET next_attempt_at = updated_at + interval '5 minutes' "
        "WHERE notification_status = 'created' AND updated_at IS NOT NULL"
    )
    op.create_index(
        INDEX,
        "notifications",
        [sa.text("coalesce(next_attempt_at, created_at)")],
        unique=False,
        postgresql_where=sa.text("notification_status = 'created'"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="notifications")
    op.drop_column("notifications", "next_attempt_at")
