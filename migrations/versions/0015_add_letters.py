"""Letters: letter contact blocks, letter template postage and contact, the daily letter limit, letter statuses.

Also widens a notification's `to`, `normalised_to` and `reply_to_text` to text: a letter's recipient is its address
(up to 7 lines) and its reply-to text the contact block. In PostgreSQL, varchar to text rewrites nothing.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

OLD_STATUSES = "'created', 'sending', 'pending', 'sent', 'delivered', 'permanent-failure', 'temporary-failure', " + (
    "'technical-failure'"
)
NEW_STATUSES = OLD_STATUSES + (
    ", 'pending-virus-check', 'cancelled', 'validation-failed', 'virus-scan-failed', 'returned-letter'"
)
OLD_PERMISSIONS = "'sms', 'email', 'letter', 'international_sms', 'inbound_sms'"
NEW_PERMISSIONS = OLD_PERMISSIONS + ", 'international_letters'"


def upgrade() -> None:
    op.create_table(
        "service_letter_contacts",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("service_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("contact_block", sa.Text(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_service_letter_contacts_service_id", "service_letter_contacts", ["service_id"])
    op.create_index(
        "uq_service_letter_contacts_default",
        "service_letter_contacts",
        ["service_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND NOT archived"),
    )
    for table in ("templates", "templates_history"):
        op.add_column(table, sa.Column("postage", sa.String(length=20), nullable=True))
        op.add_column(table, sa.Column("service_letter_contact_id", postgresql.UUID(as_uuid=True), nullable=True))
    op.create_check_constraint(
        "ck_template_postage", "templates", "postage IS NULL OR postage IN ('first', 'second', 'economy')"
    )
    op.create_foreign_key(
        "fk_templates_service_letter_contact_id",
        "templates",
        "service_letter_contacts",
        ["service_letter_contact_id"],
        ["id"],
    )
    op.execute("UPDATE templates SET postage = 'second' WHERE template_type = 'letter' AND postage IS NULL")
    op.execute("UPDATE templates_history SET postage = 'second' WHERE template_type = 'letter' AND postage IS NULL")
    for table in ("services", "services_history"):
        op.add_column(
            table, sa.Column("letter_message_limit", sa.BigInteger(), server_default=sa.text("20000"), nullable=False)
        )
    _replace_check("ck_notification_status", "notifications", f"notification_status IN ({NEW_STATUSES})")
    _replace_check("ck_permission", "service_permissions", f"permission IN ({NEW_PERMISSIONS})")
    for column in ("to", "normalised_to", "reply_to_text"):
        op.alter_column("notifications", column, type_=sa.Text(), existing_type=sa.String(length=320))


def downgrade() -> None:
    op.execute("DELETE FROM notifications WHERE notification_type = 'letter'")
    op.execute("DELETE FROM service_permissions WHERE permission = 'international_letters'")
    for column in ("to", "normalised_to", "reply_to_text"):
        op.alter_column("notifications", column, type_=sa.String(length=320), existing_type=sa.Text())
    _replace_check("ck_permission", "service_permissions", f"permission IN ({OLD_PERMISSIONS})")
    _replace_check("ck_notification_status", "notifications", f"notification_status IN ({OLD_STATUSES})")
    for table in ("services", "services_history"):
        op.drop_column(table, "letter_message_limit")
    op.drop_constraint("fk_templates_service_letter_contact_id", "templates", type_="foreignkey")
    op.drop_constraint("ck_template_postage", "templates", type_="check")
    for table in ("templates", "templates_history"):
        op.drop_column(table, "service_letter_contact_id")
        op.drop_column(table, "postage")
    op.drop_index("uq_service_letter_contacts_default", table_name="service_letter_contacts")
    op.drop_index("ix_service_letter_contacts_service_id", table_name="service_letter_contacts")
    op.drop_table("service_letter_contacts")


def _replace_check(name: str, table: str, condition: str) -> None:
    op.drop_constraint(name, table, type_="check")
    op.create_check_constraint(name, table, condition)
