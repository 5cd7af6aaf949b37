"""Seed the providers: SES for email; MMG and Firetext for SMS at their resting weights.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 05:40:00
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PROVIDERS = (
    # identifier, display name, notification type, priority, supports international
    ("ses", "AWS SES", "email", 100, False),
    ("mmg", "MMG", "sms", 51, True),
    ("firetext", "Firetext", "sms", 49, False),
)

INSERT_PROVIDER = (
    "INSERT INTO {table} (id, identifier, display_name, notification_type, priority, active,"
    " supports_international, version, updated_at, created_by, reason)"
    " VALUES (:id, :identifier, :display_name, :notification_type, :priority, true,"
    " :supports_international, 1, now(), 'migration', 'initial provider set-up')"
)


def upgrade() -> None:
    connection = op.get_bind()
    for identifier, display_name, notification_type, priority, supports_international in PROVIDERS:
        values = {
            "id": uuid.uuid4(),
            "identifier": identifier,
            "display_name": display_name,
            "notification_type": notification_type,
            "priority": priority,
            "supports_international": supports_international,
        }
        for table in ("provider_details", "provider_details_history"):
            connection.execute(sa.text(INSERT_PROVIDER.format(table=table)), values)


def downgrade() -> None:
    op.execute("DELETE FROM provider_details_history WHERE identifier IN ('ses', 'mmg', 'firetext')")
    op.execute("DELETE FROM provider_details WHERE identifier IN ('ses', 'mmg', 'firetext')")
