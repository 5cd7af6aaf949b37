"""The schema version, read for the health check."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


def dao_get_database_version() -> str:
    version = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.session.rollback()
    return str(version)
