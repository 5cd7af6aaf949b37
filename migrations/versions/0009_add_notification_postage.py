"""Add `postage` to notifications and their history: a letter's postage class, None for texts and emails.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("notifications", "notification_history"):
        op.add_column(table, sa.Column("postage", sa.String(length=20), nullable=True))


def downgrade() -> None:
    for table in ("notifications", "notification_history"):
        op.drop_column(table, "postage")
