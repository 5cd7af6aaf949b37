"""Add what the bulk-lane feeder needs: each service's share weight, each job's last feed, an index of unfed rows.

Job rows are no longer queued all at once: process_job stores them `created` with `next_attempt_at` at the
AWAITING_FEED sentinel (year 9999: far enough that the safety net never finds them overdue, finite so psycopg loads
it), and the feeder hands them to the bulk lane a few hundred at a time, weighted by `services.bulk_share_weight`.
`jobs.rows_fed_at` is when the feeder last handed over rows of the job: the feeder's turn order, and the start of
the wait after which the timeout safety net fails a job row never sent. The partial index holds only unfed rows, in
row order per job. Rows created before this revision have `next_attempt_at` NULL: they were queued when inserted.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEX = "ix_notifications_awaiting_feed"
AWAITING_FEED_SQL = "TIMESTAMPTZ '9999-12-31 00:00:00+00'"


def upgrade() -> None:
    for table in ("services", "services_history"):
        op.add_column(table, sa.Column("bulk_share_weight", sa.Integer(), nullable=False, server_default="1"))
    op.create_check_constraint("ck_services_bulk_share_weight", "services", "bulk_share_weight >= 1")
    op.add_column("jobs", sa.Column("rows_fed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        INDEX,
        "notifications",
        ["job_id", "job_row_number"],
        unique=False,
        postgresql_where=sa.text(f"notification_status = 'created' AND next_attempt_at = {AWAITING_FEED_SQL}"),
    )


def downgrade() -> None:
    # Rows still waiting for the feeder become due at once: the delivery safety net queues them.
    op.execute(f"UPDATE notifications SET next_attempt_at = now() WHERE next_attempt_at = {AWAITING_FEED_SQL}")
    op.drop_index(INDEX, table_name="notifications")
    op.drop_column("jobs", "rows_fed_at")
    op.drop_constraint("ck_services_bulk_share_weight", "services", type_="check")
    for table in ("services", "services_history"):
        op.drop_column(table, "bulk_share_weight")
