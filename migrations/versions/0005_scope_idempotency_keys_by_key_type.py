"""Scope idempotency keys by API key type and encrypt their stored answers.

A test key's request claimed an Idempotency-Key that a live key's request then replayed (201, nothing sent), so the
key type joins the primary key. Records made before are given the key type of the notification they stored; those
without one (in flight, or a smoke test) cannot be attributed and are dropped: a retry of one is treated as new.
The stored answer holds rendered content: it becomes a Fernet token (Text) made with the app's encryption keys,
like personalisation. Records live 24 hours, so there are few to rewrite.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 14:40:00
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.encryption import encryptor

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_RECORDS = sa.table(
    "idempotency_keys",
    sa.column("service_id", postgresql.UUID()),
    sa.column("key_type", sa.String()),
    sa.column("idempotency_key", sa.String()),
    sa.column("response_body", sa.Text()),
)


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("key_type", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE idempotency_keys SET key_type = notifications.key_type FROM notifications "
        "WHERE notifications.id = idempotency_keys.notification_id"
    )
    op.execute("DELETE FROM idempotency_keys WHERE key_type IS NULL")
    op.alter_column("idempotency_keys", "key_type", nullable=False)
    op.drop_constraint("idempotency_keys_pkey", "idempotency_keys", type_="primary")
    op.create_primary_key("idempotency_keys_pkey", "idempotency_keys", ["service_id", "key_type", "idempotency_key"])
    op.alter_column(
        "idempotency_keys",
        "response_body",
        type_=sa.Text(),
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        postgresql_using="response_body::text",
    )
    _rewrite_answers(lambda plain: encryptor().encrypt(plain))


def downgrade() -> None:
    _rewrite_answers(lambda token: encryptor().decrypt(token))
    op.alter_column(
        "idempotency_keys",
        "response_body",
        type_=postgresql.JSONB(astext_type=sa.Text()),
        existing_type=sa.Text(),
        postgresql_using="response_body::jsonb",
    )
    # One record per service and key again: where several key types used one key, keep the live key's.
    op.execute(
        "DELETE FROM idempotency_keys AS record WHERE EXISTS (SELECT 1 FROM idempotency_keys AS other "
        "WHERE other.service_id = record.service_id AND other.idempotency_key = record.idempotency_key "
        "AND (other.key_type <> 'normal', other.key_type) < (record.key_type <> 'normal', record.key_type))"
    )
    op.drop_constraint("idempotency_keys_pkey", "idempotency_keys", type_="primary")
    op.create_primary_key("idempotency_keys_pkey", "idempotency_keys", ["service_id", "idempotency_key"])
    op.drop_column("idempotency_keys", "key_type")


def _rewrite_answers(convert: Callable[[str], str]) -> None:
    """Rewrite every stored answer through ``convert`` (encrypt or decrypt), with bound parameters."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _RECORDS.c.service_id, _RECORDS.c.key_type, _RECORDS.c.idempotency_key, _RECORDS.c.response_body
        ).where(_RECORDS.c.response_body.is_not(None))
    ).all()
    for service_id, key_type, idempotency_key, body in rows:
        connection.execute(
            _RECORDS.update()
            .where(
                _RECORDS.c.service_id == service_id,
                _RECORDS.c.key_type == key_type,
                _RECORDS.c.idempotency_key == idempotency_key,
            )
            .values(response_body=convert(body))
        )
