"""Add `ops_sign_ins` (the operator console's one-time links and the sessions they open) and the indexes the
console's time-range queries use.

A link token and a session token are kept only as SHA-256 hashes: the database never holds either secret. A row is
one sign-in: its link (single use, expiring within minutes), then the session that link opened (bounded lifetime,
ended early by signing out).

The console counts the last hour and day of notifications by `created_at`; without an index on it alone every
refresh would scan the table. `notification_history` is appended in bulk in time order, so a BRIN index (a few pages)
serves it; `notifications` takes a B-tree (inserts land on its right edge). The console lists unfinished jobs from a
partial index that holds only those.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ops_sign_ins",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("link_token_hash", sa.String(length=64), nullable=False),
        sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("link_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_token_hash", sa.String(length=64), nullable=True),
        sa.Column("session_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.UniqueConstraint("link_token_hash", name="uq_ops_sign_ins_link_token_hash"),
        sa.UniqueConstraint("session_token_hash", name="uq_ops_sign_ins_session_token_hash"),
    )
    # Concurrently: a plain CREATE INDEX would hold up every insert into notifications while it scans the table.
    with op.get_context().autocommit_block():
        op.create_index("ix_notifications_created_at", "notifications", ["created_at"], postgresql_concurrently=True)
        op.create_index(
            "ix_jobs_unfinished_created_at",
            "jobs",
            ["created_at"],
            postgresql_where=sa.text("job_status IN ('pending', 'in progress')"),
            postgresql_concurrently=True,
        )
        op.create_index(
            "ix_notification_history_created_at_brin",
            "notification_history",
            ["created_at"],
            postgresql_using="brin",
            postgresql_concurrently=True,
        )


def downgrade() -> None:
    op.drop_index("ix_notification_history_created_at_brin", table_name="notification_history")
    op.drop_index("ix_jobs_unfinished_created_at", table_name="jobs")
    op.drop_index("ix_notifications_created_at", table_name="notifications")
    op.drop_table("ops_sign_ins")
