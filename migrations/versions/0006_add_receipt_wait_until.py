"""Add receipt_wait_until: how long a notification whose last send may have been taken waits for its receipt.

A provider call that got no answer (a read timeout after the request was sent, a hang-up, a 500) may still have
delivered the message. Its claim is handed back (`sending -> created`) with this time set, and no worker may claim
it again before then; a receipt that comes meanwhile moves it on, so it is never sent a second time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 14:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("receipt_wait_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("notifications", "receipt_wait_until")
