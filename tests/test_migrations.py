"""Migrations run up from an empty database, down to nothing, and up again."""

from __future__ import annotations

import uuid

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


def test_migrations_upgrade_from_empty_downgrade_to_base_and_upgrade_again(
    notify_api: Flask, test_services: ServicesUnderTest
) -> None:
    database = f"herald_migrations_{uuid.uuid4().hex[:8]}"
    assert test_services.server_url is not None
    with psycopg.connect(test_services.server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    database_url = database_url_named(test_services.server_url, database)
    from app.extensions import db, migrate

    try:
        scratch = Flask("migrations-test")
        scratch.config.update(notify_api.config)
        scratch.config["SQLALCHEMY_DATABASE_URI"] = sqlalchemy_url(database_url)
        db.init_app(scratch)
        migrate.init_app(scratch, db, directory=notify_api.extensions["migrate"].directory)
        with scratch.app_context():
            upgrade()
            after_upgrade = _table_names(database_url)
            downgrade(revision="base")
            after_downgrade = _table_names(database_url)
            upgrade()
            after_second_upgrade = _table_names(database_url)
            db.engine.dispose()
    finally:
        with psycopg.connect(test_services.server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    assert {"notifications", "notification_history", "services", "api_keys", "templates_history"} <= after_upgrade
    assert after_downgrade == {"alembic_version"}
    assert after_second_upgrade == after_upgrade
