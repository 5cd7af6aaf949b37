"""Break the database under a test the way a PostgreSQL restart does: kill the backend behind a session."""

from __future__ import annotations

import contextlib

from sqlalchemy import exc, text

from app.extensions import db


def terminate_session_connection() -> None:
    """Kill the PostgreSQL backend behind the current session, as a server restart would."""
    backend_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})


def leave_session_broken() -> None:
    """Kill the session's connection and swallow the error of the statement that found out, leaving the session
    in the state that made later statements raise PendingRollbackError."""
    terminate_session_connection()
    with contextlib.suppress(exc.OperationalError):
        db.session.execute(text("SELECT 1"))
