"""Add `process_type` to templates and their history: `normal` (the default) or `priority`.

Sends from a priority template take the priority delivery lane, ahead of other API sends and of bulk jobs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("templates", "templates_history"):
        op.add_column(table, sa.Column("process_type", sa.String(length=20), nullable=False, server_default="normal"))
    op.create_check_constraint("ck_template_process_type", "templates", "process_type IN ('normal', 'priority')")


def downgrade() -> None:
    op.drop_constraint("ck_template_process_type", "templates", type_="check")
    for table in ("templates", "templates_history"):
        op.drop_column(table, "process_type")
