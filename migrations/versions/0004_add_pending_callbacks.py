"""Add pending_callbacks: service callbacks whose task the broker could not take when they were due.

A final status, a complaint or an inbound text is committed before its callback task is queued; when the broker
refuses that task, a row here keeps the callback owed until beat queues it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 16:15:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_callbacks",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("task_name", sa.String(length=255), nullable=False),
        sa.Column("row_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("pending_callbacks")
