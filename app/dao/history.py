"""Copy a versioned row into its history table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from app.extensions import db


def dao_create_history_row(row: Any, history_model: type[Any]) -> Any:
    """Add a history row carrying every column ``history_model`` shares with ``row`` (same version)."""
    history_columns = {attr.key for attr in inspect(history_model).column_attrs}
    values = {
        attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs if attr.key in history_columns
    }
    history_row = history_model(**values)
    db.session.add(history_row)
    return history_row
