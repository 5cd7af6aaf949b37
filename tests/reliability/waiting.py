"""Wait for a worker's effects, reading the database fresh each time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from app.dao.notifications_dao import dao_get_notification_by_id
from app.extensions import db


def wait_until(check: Callable[[], bool], *, timeout_seconds: float = 20.0, describe: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise TimeoutError(f"gave up after {timeout_seconds} s: {describe()}")


def sent_by(notification_ids: Iterable[object]) -> dict[str, tuple[str, str | None]]:
    """Each notification's (status, provider), read fresh from the database."""
    db.session.remove()
    rows = {str(notification_id): dao_get_notification_by_id(notification_id) for notification_id in notification_ids}
    return {notification_id: (row.status, row.sent_by) for notification_id, row in rows.items()}
