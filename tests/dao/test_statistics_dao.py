"""Statistics counted from notifications and their history together, per job and per service per day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from freezegun import freeze_time

from app.dao.statistics_dao import (
    DailyStatusCount,
    StatusCount,
    dao_list_job_statistics,
    dao_list_service_daily_statistics,
)
from app.extensions import db
from app.models import NotificationHistory, Template
from tests.factories import create_notification, create_service, create_template

MAY_9 = datetime(2024, 5, 9, 23, 30, tzinfo=UTC)
MAY_10 = datetime(2024, 5, 10, 0, 30, tzinfo=UTC)
HISTORY_ATTRIBUTES = [attribute.key for attribute in NotificationHistory.__mapper__.column_attrs]


def create_history(*, template: Template, status: str, created_at: datetime, job_id: uuid.UUID | None = None) -> None:
    """A notification already moved past retention (history holds no personal data)."""
    notification = create_notification(template=template, status=status, created_at=created_at, job_id=job_id)
    values = {key: getattr(notification, key) for key in HISTORY_ATTRIBUTES}
    db.session.delete(notification)
    db.session.add(NotificationHistory(**values))
    db.session.commit()


def test_job_statistics_count_both_tables_by_status(notify_db_session: None) -> None:
    template = create_template()
    job_id = uuid.uuid4()
    for status in ("delivered", "delivered", "sending"):
        create_notification(template=template, status=status, job_id=job_id)
    create_history(template=template, status="delivered", created_at=MAY_9, job_id=job_id)
    create_history(template=template, status="permanent-failure", created_at=MAY_9, job_id=job_id)
    create_notification(template=template, status="delivered")

    statistics = dao_list_job_statistics(job_id)

    assert statistics == [
        StatusCount("delivered", 3),
        StatusCount("permanent-failure", 1),
        StatusCount("sending", 1),
    ]


def test_a_job_without_notifications_has_no_statistics(notify_db_session: None) -> None:
    assert dao_list_job_statistics(uuid.uuid4()) == []


@freeze_time(MAY_10)
def test_service_statistics_count_each_utc_day_type_and_status(notify_db_session: None) -> None:
    service = create_service()
    sms = create_template(service=service)
    email = create_template(service=service, template_type="email")
    create_notification(template=sms, status="delivered", created_at=MAY_9)
    create_history(template=sms, status="delivered", created_at=MAY_9)
    create_notification(template=sms, status="delivered", created_at=MAY_10)
    create_notification(template=email, status="sending", created_at=MAY_10)
    create_notification(template=sms, status="delivered", created_at=MAY_10, key_type="test")
    create_notification(template=create_template(), status="delivered", created_at=MAY_10)

    statistics = dao_list_service_daily_statistics(service.id, created_since=datetime(2024, 5, 9, tzinfo=UTC))

    assert statistics == [
        DailyStatusCount(date(2024, 5, 9), "sms", "delivered", 2),
        DailyStatusCount(date(2024, 5, 10), "email", "sending", 1),
        DailyStatusCount(date(2024, 5, 10), "sms", "delivered", 1),
    ]


def test_service_statistics_leave_out_days_before_the_start(notify_db_session: None) -> None:
    template = create_template()
    create_history(template=template, status="delivered", created_at=MAY_9)

    statistics = dao_list_service_daily_statistics(template.service_id, created_since=datetime(2024, 5, 10, tzinfo=UTC))

    assert statistics == []
