"""Support search: a keyed recipient hash on notifications and history, status events, and the search audit.

`recipient_hash` (HMAC-SHA256 of `normalised_to` under RECIPIENT_SEARCH_KEY) is shared by `notifications` and
`notification_history`, so a recipient stays findable after retention without history keeping the recipient. Live
rows are backfilled here; rows already in history have no recipient to hash and stay unfindable by recipient.

`notification_status_events` is written by a trigger on `notifications`: every UPDATE that changes
`notification_status` (the status machine's guarded writes, the claims, the safety nets) adds one row in the same
statement, so no writer can forget it and none pays a second round trip.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:00:00
"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op
from flask import current_app
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_BACKFILL_BATCH_SIZE = 10_000

_RECORD_STATUS_EVENT = """
CREATE FUNCTION record_notification_status_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writers set updated_at with the change; fall back to the statement's time if one did not.
    INSERT INTO notification_status_events (notification_id, notification_status, changed_at)
    VALUES (
        NEW.id,
        NEW.notification_status,
        CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at AND NEW.updated_at IS NOT NULL
            THEN NEW.updated_at ELSE statement_timestamp() END
    );
    RETURN NULL;
END
$$
"""

_STATUS_EVENT_TRIGGER = """
CREATE TRIGGER notification_status_changed
AFTER UPDATE OF notification_status ON notifications
FOR EACH ROW WHEN (OLD.notification_status IS DISTINCT FROM NEW.notification_status)
EXECUTE FUNCTION record_notification_status_event()
"""


def upgrade() -> None:
    for table in ("notifications", "notification_history"):
        op.add_column(table, sa.Column("recipient_hash", sa.String(length=64), nullable=True))
    _backfill_recipient_hashes()
    for table in ("notifications", "notification_history"):
        op.create_index(
            f"ix_{table}_service_recipient_hash",
            table,
            ["service_id", "recipient_hash", "created_at"],
            postgresql_where=sa.text("recipient_hash IS NOT NULL"),
        )
    op.create_index(
        "ix_notification_history_client_reference",
        "notification_history",
        ["service_id", "client_reference", "created_at"],
    )
    op.create_table(
        "notification_status_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("notification_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("notification_status", sa.String(length=50), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_notification_status_events_notification_id",
        "notification_status_events",
        ["notification_id", "changed_at"],
    )
    op.create_index("ix_notification_status_events_changed_at", "notification_status_events", ["changed_at"])
    op.execute(_RECORD_STATUS_EVENT)
    op.execute(_STATUS_EVENT_TRIGGER)
    op.create_table(
        "support_search_audit",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column(
            "service_id",
            postgresql.UUID(as_uuid=True),
            sa.ForeignKey("services.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("admin_client_id", sa.String(length=255), nullable=False),
        sa.Column("searched_by", sa.String(length=255), nullable=False),
        sa.Column("searched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("search_kind", sa.String(length=20), nullable=False),
        sa.Column("searched_value_hash", sa.String(length=64), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.CheckConstraint("search_kind IN ('recipient', 'reference', 'id')", name="ck_support_search_kind"),
    )
    op.create_index(
        "ix_support_search_audit_service_searched_at", "support_search_audit", ["service_id", "searched_at"]
    )


def _backfill_recipient_hashes() -> None:
    """Hash every live row's normalised_to, in batches by id, with bound parameters."""
    key = current_app.config["RECIPIENT_SEARCH_KEY"].encode()
    connection = op.get_bind()
    select_batch = sa.text(
        "SELECT id, normalised_to FROM notifications WHERE normalised_to IS NOT NULL AND id > :after "
        "ORDER BY id LIMIT :limit"
    )
    update_batch = sa.text(
        "UPDATE notifications SET recipient_hash = batch.recipient_hash "
        "FROM unnest(CAST(:ids AS uuid[]), CAST(:hashes AS text[])) AS batch(id, recipient_hash) "
        "WHERE notifications.id = batch.id"
    )
    after = "00000000-0000-0000-0000-000000000000"
    while True:
        rows = connection.execute(select_batch, {"after": after, "limit": _BACKFILL_BATCH_SIZE}).all()
        if not rows:
            return
        hashes = [hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest() for _, normalised in rows]
        connection.execute(update_batch, {"ids": [row_id for row_id, _ in rows], "hashes": hashes})
        after = str(rows[-1][0])


def downgrade() -> None:
    op.drop_index("ix_support_search_audit_service_searched_at", table_name="support_search_audit")
    op.drop_table("support_search_audit")
    op.execute("DROP TRIGGER notification_status_changed ON notifications")
    op.execute("DROP FUNCTION record_notification_status_event()")
    op.drop_index("ix_notification_status_events_changed_at", table_name="notification_status_events")
    op.drop_index("ix_notification_status_events_notification_id", table_name="notification_status_events")
    op.drop_table("notification_status_events")
    op.drop_index("ix_notification_history_client_reference", table_name="notification_history")
    for table in ("notifications", "notification_history"):
        op.drop_index(f"ix_{table}_service_recipient_hash", table_name=table)
        op.drop_column(table, "recipient_hash")
