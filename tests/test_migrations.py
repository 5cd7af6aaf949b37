"""Migrations run up from an empty database, down to nothing, and up again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from config import sqlalchemy_url
from tests.services_under_test import ServicesUnderTest, database_url_named


def _table_names(database_url: str) -> set[str]:
    engine = create_engine(sqlalchemy_url(database_url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@contextmanager
def migrations_scratch_app(notify_api: Flask, test_services: ServicesUnderTest) -> Iterator[str]:
    """Inside the context of an app on a new, empty database (dropped afterwards) that migrations run against; yields
    the database's URL."""
    from app.extensions import db, migrate

    database = f"herald_migrations_{uuid.uuid4().hex[:8]}"
    assert test_services.server_url is not None
    with psycopg.connect(test_services.server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    database_url = database_url_named(test_services.server_url, database)
    try:
        scratch = Flask("migrations-test")
        scratch.config.update(notify_api.config)
        scratch.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(database_url)
        db.init_app(scratch)
        migrate.init_app(scratch, db, directory=notify_api.extensions["migrate"].directory)
        with scratch.app_context():
            yield database_url
            db.engine.dispose()
    finally:
        with psycopg.connect(test_services.server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_migrations_upgrade_from_empty_downgrade_to_base_and_upgrade_again(
    notify_api: Flask, test_services: ServicesUnderTest
) -> None:
    with migrations_scratch_app(notify_api, test_services) as database_url:
        upgrade()
        after_upgrade = _table_names(database_url)
        downgrade(revision="base")
        after_downgrade = _table_names(database_url)
        upgrade()
        after_second_upgrade = _table_names(database_url)

    assert {"notifications", "notification_history", "services", "api_keys", "templates_history"} <= after_upgrade
    assert after_downgrade == {"alembic_version"}
    assert after_second_upgrade == after_upgrade


_SERVICE = (
    "INSERT INTO services (id, name, active, restricted, rate_limit, sms_message_limit, email_message_limit, "
    "international_sms_message_limit, email_sender_local_part, prefix_sms, data_retention_days, version) "
    "VALUES (:id, 'Migrated', true, false, 3000, 1000, 1000, 100, 'migrated', false, 7, 1)"
)
_NOTIFICATION = (
    'INSERT INTO notifications (id, "to", service_id, template_id, template_version, key_type, billable_units, '
    "notification_type, created_at, notification_status, international) VALUES (:id, '07700900123', :service_id, "
    ":service_id, 1, 'test', 0, 'sms', now(), 'created', false)"
)
_RECORD = (
    "INSERT INTO idempotency_keys (service_id, idempotency_key, request_fingerprint, notification_id, response_body) "
    "VALUES (:service_id, :key, :fingerprint, :notification_id, CAST(:body AS jsonb))"
)


def test_the_idempotency_migration_attributes_and_encrypts_existing_records(
    notify_api: Flask, test_services: ServicesUnderTest
) -> None:
    from sqlalchemy import text

    from app.encryption import encryptor
    from app.extensions import db

    service_id, notification_id = uuid.uuid4(), uuid.uuid4()
    answer = '{"content": {"body": "Your code is 123456"}}'
    with migrations_scratch_app(notify_api, test_services):
        upgrade(revision="0004")
        with db.engine.begin() as connection:
            connection.execute(text(_SERVICE), {"id": service_id})
            connection.execute(text("SET LOCAL session_replication_role = replica"))  # no template needed
            connection.execute(text(_NOTIFICATION), {"id": notification_id, "service_id": service_id})
            connection.execute(text("SET LOCAL session_replication_role = origin"))
            for key, stored_id in (("attributed", notification_id), ("unattributed", None)):
                connection.execute(
                    text(_RECORD),
                    {"service_id": service_id, "key": key, "fingerprint": "f" * 64,
                     "notification_id": stored_id, "body": answer},
                )  # fmt: skip
        upgrade()
        with db.engine.connect() as connection:
            upgraded = connection.execute(
                text("SELECT key_type, idempotency_key, response_body FROM idempotency_keys")
            ).all()
        downgrade(revision="0004")
        with db.engine.connect() as connection:
            downgraded = connection.execute(text("SELECT idempotency_key, response_body FROM idempotency_keys")).all()

    assert [(key_type, key) for key_type, key, _ in upgraded] == [("test", "attributed")]
    assert "123456" not in upgraded[0][2]
    assert encryptor().decrypt(upgraded[0][2]) == answer
    assert downgraded == [("attributed", {"content": {"body": "Your code is 123456"}})]


def test_the_support_search_migration_hashes_live_recipients_and_records_status_changes(
    notify_api: Flask, test_services: ServicesUnderTest
) -> None:
    from sqlalchemy import text

    from app.extensions import db
    from app.recipients.search_hash import recipient_search_hash

    service_id, notification_id = uuid.uuid4(), uuid.uuid4()
    with migrations_scratch_app(notify_api, test_services):
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            connection.execute(text(_SERVICE), {"id": service_id})
            connection.execute(text("SET LOCAL session_replication_role = replica"))  # no template needed
            connection.execute(text(_NOTIFICATION), {"id": notification_id, "service_id": service_id})
            connection.execute(text("UPDATE notifications SET normalised_to = '447700900123'"))
            connection.execute(text("SET LOCAL session_replication_role = origin"))
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE notifications SET notification_status = 'sending'"))
        with db.engine.begin() as connection:  # a new transaction: no foreign-key recheck of this row
            connection.execute(text("UPDATE notifications SET billable_units = 1"))  # not a status change
            recipient_hash = connection.execute(text("SELECT recipient_hash FROM notifications")).scalar_one()
            events = connection.execute(
                text("SELECT notification_id, notification_status FROM notification_status_events")
            ).all()

    assert recipient_hash == recipient_search_hash(notify_api.config["RECIPIENT_SEARCH_KEY"], "447700900123")
    assert events == [(notification_id, "sending")]
