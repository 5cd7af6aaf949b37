"""Moving notifications to history: one bounded batch per call, test-key rows deleted instead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.clock import utc_now
from app.dao.notification_history_dao import dao_delete_test_notifications, dao_move_notifications_to_history
from app.extensions import db
from app.models import Notification, NotificationHistory
from tests.factories import create_notification, create_template


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_move_takes_at_most_the_limit(notify_db_session: None) -> None:
    template = create_template()
    for _ in range(5):
        create_notification(template=template, created_at=utc_now() - timedelta(days=1))

    moved = dao_move_notifications_to_history(template.service_id, created_before=utc_now(), limit=2)

    assert (moved, count(Notification), count(NotificationHistory)) == (2, 3, 2)


def test_a_move_leaves_other_services_and_test_keys_alone(notify_db_session: None) -> None:
    template = create_template()
    create_notification(template=template, created_at=utc_now() - timedelta(days=1), key_type="test")
    create_notification(template=create_template(), created_at=utc_now() - timedelta(days=1))

    moved = dao_move_notifications_to_history(template.service_id, created_before=utc_now(), limit=10)

    assert (moved, count(Notification)) == (0, 2)


def test_test_key_deletes_take_at_most_the_limit(notify_db_session: None) -> None:
    template = create_template()
    for _ in range(3):
        create_notification(template=template, created_at=utc_now() - timedelta(days=1), key_type="test")

    deleted = dao_delete_test_notifications(template.service_id, created_before=utc_now(), limit=2)

    assert (deleted, count(Notification), count(NotificationHistory)) == (2, 1, 0)
