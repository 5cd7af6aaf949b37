"""The list query behind GET /v2/notifications: a keyset page over the (service_id, key_type, created_at) index."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text

from app.dao.notifications_dao import dao_list_notifications_with_template_for_service
from app.extensions import db
from tests.factories import create_notifications, create_template


@contextmanager
def captured_statements() -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)


def list_page(template: Any, **filters: Any) -> list[str]:
    rows = dao_list_notifications_with_template_for_service(template.service_id, key_type="normal", limit=2, **filters)
    return [str(notification.id) for notification, _ in rows]


def test_a_page_returns_each_notification_with_the_template_version_it_was_sent_with(notify_db_session: None) -> None:
    template = create_template()
    create_notifications(template=template, count=1)

    rows = dao_list_notifications_with_template_for_service(template.service_id, key_type="normal", limit=10)

    assert [(history.id, history.version) for _, history in rows] == [(template.id, 1)]


def test_pages_follow_each_other_without_gaps_or_repeats(notify_db_session: None) -> None:
    template = create_template()
    notifications = create_notifications(template=template, count=5)

    first = list_page(template)
    second = list_page(template, older_than_id=first[-1])
    third = list_page(template, older_than_id=second[-1])

    assert first + second + third == [str(notification.id) for notification in notifications]


def test_the_page_query_uses_no_offset_and_no_count(notify_db_session: None) -> None:
    template = create_template()
    notifications = create_notifications(template=template, count=3)

    with captured_statements() as statements:
        list_page(template, older_than_id=notifications[0].id, statuses=["delivered"], notification_types=["sms"])

    sql = " ".join(statement for statement, _ in statements).upper()
    assert "OFFSET" not in sql
    assert "COUNT(" not in sql


def test_the_page_query_can_be_answered_from_the_service_key_type_created_at_index(notify_db_session: None) -> None:
    template = create_template()
    notifications = create_notifications(template=template, count=3)
    with captured_statements() as statements:
        list_page(template, older_than_id=notifications[0].id)
    page_statement, parameters = statements[-1]

    with db.engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {page_statement}", parameters))

    assert "ix_notifications_service_key_type_created_at" in plan
