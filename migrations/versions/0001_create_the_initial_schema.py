"""Create the initial schema: services, keys, templates, providers, notifications, jobs, receipts.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 05:34:12.750091
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys_history",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("key_type", sa.String(length=20), nullable=False),
        sa.Column("expiry_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", "version"),
    )
    op.create_table(
        "notification_history",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("job_row_number", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.UUID(), nullable=True),
        sa.Column("key_type", sa.String(length=20), nullable=False),
        sa.Column("billable_units", sa.Integer(), nullable=False),
        sa.Column("notification_type", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=50), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notification_status", sa.String(length=50), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=True),
        sa.Column("client_reference", sa.String(length=1000), nullable=True),
        sa.Column("international", sa.Boolean(), nullable=False),
        sa.Column("phone_prefix", sa.String(length=10), nullable=True),
        sa.Column("rate_multiplier", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_notification_history_job_id_status",
        "notification_history",
        ["job_id", "notification_status"],
        unique=False,
    )
    op.create_index("ix_notification_history_reference", "notification_history", ["reference"], unique=False)
    op.create_index(
        "ix_notification_history_service_created_at",
        "notification_history",
        ["service_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "provider_details",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("identifier", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("notification_type", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("supports_international", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("identifier"),
    )
    op.create_table(
        "provider_details_history",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=False),
        sa.Column("notification_type", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("supports_international", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", "version"),
    )
    op.create_table(
        "services",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=False),
        sa.Column("sms_message_limit", sa.BigInteger(), nullable=False),
        sa.Column("email_message_limit", sa.BigInteger(), nullable=False),
        sa.Column("international_sms_message_limit", sa.BigInteger(), nullable=False),
        sa.Column("email_sender_local_part", sa.String(length=255), nullable=False),
        sa.Column("custom_email_sender_name", sa.String(length=255), nullable=True),
        sa.Column("prefix_sms", sa.Boolean(), nullable=False),
        sa.Column("data_retention_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_sender_local_part"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "services_history",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.Column("rate_limit", sa.Integer(), nullable=False),
        sa.Column("sms_message_limit", sa.BigInteger(), nullable=False),
        sa.Column("email_message_limit", sa.BigInteger(), nullable=False),
        sa.Column("international_sms_message_limit", sa.BigInteger(), nullable=False),
        sa.Column("email_sender_local_part", sa.String(length=255), nullable=False),
        sa.Column("custom_email_sender_name", sa.String(length=255), nullable=True),
        sa.Column("prefix_sms", sa.Boolean(), nullable=False),
        sa.Column("data_retention_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", "version"),
    )
    op.create_table(
        "templates_history",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("template_type", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", "version"),
    )
    op.create_index(op.f("ix_templates_history_service_id"), "templates_history", ["service_id"], unique=False)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("key_type", sa.String(length=20), nullable=False),
        sa.Column("expiry_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("key_type IN ('normal', 'team', 'test')", name="ck_key_type"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_api_keys_service_id"), "api_keys", ["service_id"], unique=False)
    op.create_index(
        "uq_api_keys_service_name_active",
        "api_keys",
        ["service_id", "name"],
        unique=True,
        postgresql_where=sa.text("expiry_date IS NULL"),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("notification_id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("ses_feedback_id", sa.Text(), nullable=True),
        sa.Column("complaint_type", sa.Text(), nullable=True),
        sa.Column("complaint_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ses_feedback_id"),
    )
    op.create_index(op.f("ix_complaints_notification_id"), "complaints", ["notification_id"], unique=False)
    op.create_index(op.f("ix_complaints_service_id"), "complaints", ["service_id"], unique=False)
    op.create_table(
        "idempotency_keys",
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("notification_id", sa.UUID(), nullable=True),
        sa.Column("response_body", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id", "idempotency_key"),
    )
    op.create_index("ix_idempotency_keys_created_at", "idempotency_keys", ["created_at"], unique=False)
    op.create_table(
        "inbound_numbers",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("service_id"),
    )
    op.create_table(
        "inbound_sms",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("notify_number", sa.String(length=20), nullable=False),
        sa.Column("user_number", sa.String(length=20), nullable=False),
        sa.Column("provider_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_reference", sa.String(length=255), nullable=True),
        sa.Column("provider", sa.String(length=50), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbound_sms_service_created_at", "inbound_sms", ["service_id", "created_at"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("original_file_name", sa.String(length=255), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("notification_count", sa.Integer(), nullable=False),
        sa.Column("job_status", sa.String(length=50), nullable=False),
        sa.Column("contents", sa.Text(), nullable=False),
        sa.Column("reply_to_id", sa.UUID(), nullable=True),
        sa.Column("api_key_id", sa.UUID(), nullable=True),
        sa.Column("key_type", sa.String(length=20), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processing_started", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processing_finished", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "job_status IN ('pending', 'scheduled', 'in progress', 'finished', 'sending limits exceeded', 'cancelled', 'error')",
            name="ck_job_status",
        ),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_jobs_scheduled",
        "jobs",
        ["scheduled_for"],
        unique=False,
        postgresql_where=sa.text("job_status = 'scheduled'"),
    )
    op.create_index("ix_jobs_service_id_created_at", "jobs", ["service_id", "created_at"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("to", sa.String(length=320), nullable=False),
        sa.Column("normalised_to", sa.String(length=320), nullable=True),
        sa.Column("personalisation", sa.Text(), nullable=True),
        sa.Column("reply_to_text", sa.String(length=320), nullable=True),
        sa.Column("unsubscribe_link", sa.String(length=2000), nullable=True),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("job_row_number", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("api_key_id", sa.UUID(), nullable=True),
        sa.Column("key_type", sa.String(length=20), nullable=False),
        sa.Column("billable_units", sa.Integer(), nullable=False),
        sa.Column("notification_type", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by", sa.String(length=50), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notification_status", sa.String(length=50), nullable=False),
        sa.Column("reference", sa.String(length=255), nullable=True),
        sa.Column("client_reference", sa.String(length=1000), nullable=True),
        sa.Column("international", sa.Boolean(), nullable=False),
        sa.Column("phone_prefix", sa.String(length=10), nullable=True),
        sa.Column("rate_multiplier", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "notification_status IN ('created', 'sending', 'pending', 'sent', 'delivered', 'permanent-failure', 'temporary-failure', 'technical-failure')",
            name="ck_notification_status",
        ),
        sa.ForeignKeyConstraint(
            ["template_id", "template_version"],
            ["templates_history.id", "templates_history.version"],
            name="fk_notifications_template_version",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "job_row_number", name="uq_notifications_job_row_number"),
    )
    op.create_index(
        "ix_notifications_client_reference", "notifications", ["service_id", "client_reference"], unique=False
    )
    op.create_index("ix_notifications_job_id_status", "notifications", ["job_id", "notification_status"], unique=False)
    op.create_index("ix_notifications_reference", "notifications", ["reference"], unique=False)
    op.create_index("ix_notifications_service_created_at", "notifications", ["service_id", "created_at"], unique=False)
    op.create_index(
        "ix_notifications_service_key_type_created_at",
        "notifications",
        ["service_id", "key_type", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_notifications_status_created_at",
        "notifications",
        ["notification_status", "created_at"],
        unique=False,
    )
    op.create_table(
        "service_callback_api",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("callback_type", sa.String(length=50), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("bearer_token", sa.Text(), nullable=False),
        sa.Column("signing_secret", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("callback_type IN ('delivery_status', 'complaint', 'inbound_sms')", name="ck_callback_type"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id", "callback_type", name="uq_service_callback_type"),
    )
    op.create_table(
        "service_email_reply_to",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("email_address", sa.String(length=320), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_service_email_reply_to_service_id"), "service_email_reply_to", ["service_id"], unique=False
    )
    op.create_index(
        "uq_service_email_reply_to_default",
        "service_email_reply_to",
        ["service_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND NOT archived"),
    )
    op.create_table(
        "service_guest_list",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("recipient_type", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("recipient_type IN ('mobile', 'email')", name="ck_recipient_type"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("service_id", "recipient_type", "recipient", name="uq_service_guest_list_recipient"),
    )
    op.create_index(op.f("ix_service_guest_list_service_id"), "service_guest_list", ["service_id"], unique=False)
    op.create_table(
        "service_permissions",
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("permission", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "permission IN ('sms', 'email', 'letter', 'international_sms', 'inbound_sms')",
            name="ck_permission",
        ),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("service_id", "permission"),
    )
    op.create_table(
        "service_sms_senders",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("sms_sender", sa.String(length=11), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_service_sms_senders_service_id"), "service_sms_senders", ["service_id"], unique=False)
    op.create_index(
        "uq_service_sms_senders_default",
        "service_sms_senders",
        ["service_id"],
        unique=True,
        postgresql_where=sa.text("is_default AND NOT archived"),
    )
    op.create_table(
        "templates",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("service_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("template_type", sa.String(length=20), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("template_type IN ('sms', 'email', 'letter')", name="ck_template_type"),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_templates_service_id"), "templates", ["service_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_templates_service_id"), table_name="templates")
    op.drop_table("templates")
    op.drop_index(
        "uq_service_sms_senders_default",
        table_name="service_sms_senders",
        postgresql_where=sa.text("is_default AND NOT archived"),
    )
    op.drop_index(op.f("ix_service_sms_senders_service_id"), table_name="service_sms_senders")
    op.drop_table("service_sms_senders")
    op.drop_table("service_permissions")
    op.drop_index(op.f("ix_service_guest_list_service_id"), table_name="service_guest_list")
    op.drop_table("service_guest_list")
    op.drop_index(
        "uq_service_email_reply_to_default",
        table_name="service_email_reply_to",
        postgresql_where=sa.text("is_default AND NOT archived"),
    )
    op.drop_index(op.f("ix_service_email_reply_to_service_id"), table_name="service_email_reply_to")
    op.drop_table("service_email_reply_to")
    op.drop_table("service_callback_api")
    op.drop_index("ix_notifications_status_created_at", table_name="notifications")
    op.drop_index("ix_notifications_service_key_type_created_at", table_name="notifications")
    op.drop_index("ix_notifications_service_created_at", table_name="notifications")
    op.drop_index("ix_notifications_reference", table_name="notifications")
    op.drop_index("ix_notifications_job_id_status", table_name="notifications")
    op.drop_index("ix_notifications_client_reference", table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_jobs_service_id_created_at", table_name="jobs")
    op.drop_index("ix_jobs_scheduled", table_name="jobs", postgresql_where=sa.text("job_status = 'scheduled'"))
    op.drop_table("jobs")
    op.drop_index("ix_inbound_sms_service_created_at", table_name="inbound_sms")
    op.drop_table("inbound_sms")
    op.drop_table("inbound_numbers")
    op.drop_index("ix_idempotency_keys_created_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    op.drop_index(op.f("ix_complaints_service_id"), table_name="complaints")
    op.drop_index(op.f("ix_complaints_notification_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index(
        "uq_api_keys_service_name_active",
        table_name="api_keys",
        postgresql_where=sa.text("expiry_date IS NULL"),
    )
    op.drop_index(op.f("ix_api_keys_service_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_templates_history_service_id"), table_name="templates_history")
    op.drop_table("templates_history")
    op.drop_table("services_history")
    op.drop_table("services")
    op.drop_table("provider_details_history")
    op.drop_table("provider_details")
    op.drop_index("ix_notification_history_service_created_at", table_name="notification_history")
    op.drop_index("ix_notification_history_reference", table_name="notification_history")
    op.drop_index("ix_notification_history_job_id_status", table_name="notification_history")
    op.drop_table("notification_history")
    op.drop_table("api_keys_history")
