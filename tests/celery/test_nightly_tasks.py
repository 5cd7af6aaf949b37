"""The nightly clear-out: notifications past retention move to history without personal data, statistics unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select

from app.celery.nightly_tasks import (
    archive_jobs_older_than_retention,
    delete_expired_idempotency_keys,
    delete_inbound_sms_older_than_retention,
    delete_notifications_older_than_retention,
)
from app.dao.inbound_sms_dao import dao_create_inbound_sms
from app.dao.jobs_dao import dao_get_job_by_id
from app.dao.statistics_dao import dao_list_job_statistics, dao_list_service_daily_statistics
from app.extensions import db
from app.models import (
    IdempotencyRecord,
    InboundSms,
    Job,
    Notification,
    NotificationHistory,
    NotificationStatusEvent,
)
from app.notification_status import NotificationStatus
from app.retention.delete_expired import retention_cutoff
from app.status_changes import ChangeLog, change_status
from tests.factories import create_notification, create_service, create_template

NOW = datetime(2024, 5, 10, 3, 0, tzinfo=UTC)
PAST_RETENTION = datetime(2024, 5, 2, 23, 59, tzinfo=UTC)  # before midnight starting the 3rd: 7 whole days ago
WITHIN_RETENTION = datetime(2024, 5, 3, 0, 1, tzinfo=UTC)


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def frozen_now() -> object:
    with freeze_time(NOW) as frozen:
        yield frozen


def test_the_cutoff_is_midnight_utc_the_given_number_of_days_before_today() -> None:
    assert retention_cutoff(NOW, 7) == datetime(2024, 5, 3, tzinfo=UTC)


def test_notifications_past_retention_move_to_history(notify_db_session: None, frozen_now: object) -> None:
    template = create_template()
    old_id = create_notification(template=template, created_at=PAST_RETENTION, status="delivered", sent_by="mmg").id
    recent_id = create_notification(template=template, created_at=WITHIN_RETENTION).id

    delete_notifications_older_than_retention()

    assert db.session.execute(select(Notification.id)).scalars().all() == [recent_id]
    history = db.session.execute(select(NotificationHistory)).scalar_one()
    assert (history.id, history.status, history.sent_by, history.created_at) == (
        old_id,
        "delivered",
        "mmg",
        PAST_RETENTION,
    )


def events_of(notification_id: object) -> list[str]:
    return list(
        db.session.execute(
            select(NotificationStatusEvent.status).where(NotificationStatusEvent.notification_id == notification_id)
        ).scalars()
    )


def test_status_events_stay_with_a_notification_moved_to_history(notify_db_session: None, frozen_now: object) -> None:
    notification_id = create_notification(template=create_template(), created_at=PAST_RETENTION).id
    change_status(notification_id, NotificationStatus.SENDING, log=ChangeLog("claimed"))

    delete_notifications_older_than_retention()

    assert (count(NotificationHistory), events_of(notification_id)) == (1, ["sending"])


def test_a_deleted_test_key_notification_takes_its_status_events(notify_db_session: None, frozen_now: object) -> None:
    template = create_template()
    deleted_id = create_notification(template=template, created_at=PAST_RETENTION, key_type="test").id
    kept_id = create_notification(template=template, created_at=WITHIN_RETENTION, key_type="test").id
    for notification_id in (deleted_id, kept_id):
        change_status(notification_id, NotificationStatus.SENDING, log=ChangeLog("claimed"))

    delete_notifications_older_than_retention()

    assert (events_of(deleted_id), events_of(kept_id)) == ([], ["sending"])


def test_status_events_older_than_the_search_window_are_deleted(notify_db_session: None) -> None:
    with freeze_time(NOW - timedelta(days=367)):
        old_id = create_notification(template=create_template()).id
        change_status(old_id, NotificationStatus.SENDING, log=ChangeLog("claimed"))
    with freeze_time(NOW - timedelta(days=365)):
        recent_id = create_notification(template=create_template()).id
        change_status(recent_id, NotificationStatus.SENDING, log=ChangeLog("claimed"))

    with freeze_time(NOW):
        delete_notifications_older_than_retention()

    assert (events_of(old_id), events_of(recent_id)) == ([], ["sending"])


def test_history_has_no_columns_for_personal_data() -> None:
    columns = set(NotificationHistory.__table__.columns.keys())

    assert columns.isdisjoint({"to", "normalised_to", "personalisation", "reply_to_text", "unsubscribe_link"})
    assert "recipient_hash" in columns  # a keyed hash, so support can still find a recipient's notifications


@pytest.mark.parametrize("status", ["created", "sending", "pending", "temporary-failure"])
def test_notifications_move_whatever_their_status(notify_db_session: None, frozen_now: object, status: str) -> None:
    create_notification(created_at=PAST_RETENTION, status=status)

    delete_notifications_older_than_retention()

    assert (count(Notification), count(NotificationHistory)) == (0, 1)


def test_each_service_keeps_notifications_for_its_own_retention(notify_db_session: None, frozen_now: object) -> None:
    short = create_template(service=create_service(data_retention_days=3))
    long = create_template(service=create_service(data_retention_days=30))
    four_days_ago = NOW - timedelta(days=4, hours=12)
    moved_id = create_notification(template=short, created_at=four_days_ago).id
    create_notification(template=long, created_at=four_days_ago)
    create_notification(template=long, created_at=PAST_RETENTION)

    delete_notifications_older_than_retention()

    assert db.session.execute(select(NotificationHistory.id)).scalars().all() == [moved_id]


def test_test_key_notifications_are_deleted_without_history(notify_db_session: None, frozen_now: object) -> None:
    create_notification(created_at=PAST_RETENTION, key_type="test")

    delete_notifications_older_than_retention()

    assert (count(Notification), count(NotificationHistory)) == (0, 0)


def test_every_batch_is_moved(
    notify_api: Flask, notify_db_session: None, frozen_now: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "RETENTION_BATCH_SIZE", 2)
    template = create_template()
    for _ in range(5):
        create_notification(template=template, created_at=PAST_RETENTION)
    for _ in range(3):
        create_notification(template=template, created_at=PAST_RETENTION, key_type="test")

    removed = delete_notifications_older_than_retention()

    assert removed == 8
    assert (count(Notification), count(NotificationHistory)) == (0, 5)


def test_statistics_are_the_same_before_and_after_the_move(notify_db_session: None, frozen_now: object) -> None:
    template = create_template()
    job = Job(
        original_file_name="old.csv",
        service_id=template.service_id,
        template_id=template.id,
        template_version=template.version,
        notification_count=6,
        job_status="finished",
        _contents="",
        created_at=PAST_RETENTION,
    )
    db.session.add(job)
    db.session.commit()
    statuses = ["delivered", "delivered", "permanent-failure", "temporary-failure", "sending", "delivered"]
    for row_number, status in enumerate(statuses):
        create_notification(
            template=template,
            created_at=PAST_RETENTION - timedelta(days=row_number % 2),
            status=status,
            job_id=job.id,
            job_row_number=row_number,
        )
    create_notification(template=create_template(service=create_service(), template_type="email"))
    create_notification(template=template, created_at=WITHIN_RETENTION, status="delivered")
    since = NOW - timedelta(days=14)
    daily_before = dao_list_service_daily_statistics(template.service_id, created_since=since)
    job_before = dao_list_job_statistics(job.id)
    assert sum(daily.count for daily in daily_before) == 7

    delete_notifications_older_than_retention()

    assert count(NotificationHistory) == 6
    assert dao_list_service_daily_statistics(template.service_id, created_since=since) == daily_before
    assert dao_list_job_statistics(job.id) == job_before


def test_inbound_text_messages_past_retention_are_deleted(notify_db_session: None, frozen_now: object) -> None:
    service = create_service()
    messages = [
        dao_create_inbound_sms(
            service_id=service.id,
            notify_number="07700900000",
            user_number="447700900111",
            content="STOP",
            provider="mmg",
            provider_reference=None,
            provider_date=None,
        )
        for _ in range(2)
    ]
    messages[0].created_at = PAST_RETENTION
    messages[1].created_at = WITHIN_RETENTION
    db.session.commit()

    deleted = delete_inbound_sms_older_than_retention()

    assert deleted == 1
    assert db.session.execute(select(InboundSms.id)).scalars().all() == [messages[1].id]


@pytest.mark.parametrize(
    ("status", "created_at", "is_archived"),
    [
        ("finished", PAST_RETENTION, True),
        ("cancelled", PAST_RETENTION, True),
        ("finished", WITHIN_RETENTION, False),
        ("in progress", PAST_RETENTION, False),
    ],
    ids=["finished past retention", "cancelled past retention", "within retention", "still in progress"],
)
def test_finished_jobs_past_retention_are_archived_without_their_rows(
    notify_db_session: None, frozen_now: object, status: str, created_at: datetime, is_archived: bool
) -> None:
    template = create_template()
    job = Job(
        original_file_name="contacts.csv",
        service_id=template.service_id,
        template_id=template.id,
        template_version=template.version,
        notification_count=1,
        job_status=status,
        _contents="encrypted rows",
        created_at=created_at,
    )
    db.session.add(job)
    db.session.commit()

    archive_jobs_older_than_retention()

    db.session.expire_all()
    job = dao_get_job_by_id(job.id)
    assert (job.archived, job._contents == "") == (is_archived, is_archived)


def test_idempotency_keys_older_than_a_day_are_deleted(notify_db_session: None) -> None:
    service = create_service()
    for key, age in (("old", timedelta(hours=24, minutes=1)), ("new", timedelta(hours=23))):
        db.session.add(
            IdempotencyRecord(
                service_id=service.id,
                key_type="normal",
                idempotency_key=key,
                request_fingerprint="f" * 64,
                response_body={},
                created_at=datetime.now(UTC) - age,
            )
        )
    db.session.commit()

    deleted = delete_expired_idempotency_keys()

    assert (deleted, db.session.execute(select(IdempotencyRecord.idempotency_key)).scalars().all()) == (1, ["new"])


def test_letters_past_retention_leave_with_their_pdf_unless_still_waiting_to_print(
    notify_db_session: None, frozen_now: object, letters_directory: object
) -> None:
    from pathlib import Path

    from app.letters.create_pdf import letter_file_of

    template = create_template(template_type="letter", content="Hi")
    delivered = create_notification(
        template=template,
        to="A\nB\nSW1A 1AA",
        created_at=PAST_RETENTION,
        status="delivered",
        reference="REF0000000000001",
    )
    waiting = create_notification(
        template=template,
        to="A\nB\nSW1A 1AA",
        created_at=PAST_RETENTION,
        status="created",
        reference="REF0000000000002",
    )
    assert isinstance(letters_directory, Path)
    for letter in (delivered, waiting):
        path = letters_directory / letter_file_of(letter).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF")

    delete_notifications_older_than_retention()

    assert db.session.execute(select(Notification.id)).scalars().all() == [waiting.id]
    assert not (letters_directory / letter_file_of(delivered).name).exists()
    assert (letters_directory / letter_file_of(waiting).name).exists()
