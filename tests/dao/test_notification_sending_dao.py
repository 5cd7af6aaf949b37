"""Sending claims: re-claiming stale ones, handing them back, recording sends, and the safety-net batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from app.dao.notification_sending_dao import (
    NotificationToQueue,
    QueueKey,
    dao_reclaim_stale_sending_notification,
    dao_record_notification_sent,
    dao_release_sending_claim,
    dao_release_stale_sending_claims,
    dao_requeue_overdue_created_notifications,
    dao_update_notification_next_attempt_at,
)
from app.dao.notification_status_dao import dao_timeout_sending_notifications, dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.templates_dao import dao_update_template
from app.models import KeyType, Notification
from app.notification_status import NotificationStatus
from tests.factories import create_notification, create_template

S = NotificationStatus
KEY_TYPES = [key_type.value for key_type in KeyType]
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _claimed_notification(claimed_at: datetime, **factory_arguments: object) -> Notification:
    notification = create_notification(status=S.CREATED, **factory_arguments)
    dao_update_notification_status_by_id(notification.id, S.SENDING, sending_claimed_at=claimed_at, sent_by="mmg")
    return notification


def _reload(notification: Notification) -> Notification:
    return dao_get_notification_by_id(notification.id)


def test_a_stale_claim_without_an_answer_can_be_claimed_again(notify_db_session: None) -> None:
    notification = _claimed_notification(NOW - timedelta(minutes=5))

    reclaimed = dao_reclaim_stale_sending_notification(
        notification.id, claimed_at=NOW, stale_claims_before=NOW - timedelta(minutes=2), sent_by="firetext"
    )

    assert reclaimed is not None
    assert (_reload(notification).sending_claimed_at, _reload(notification).sent_by) == (NOW, "firetext")


@pytest.mark.parametrize(
    ("claimed_minutes_ago", "sent_at"),
    [(1, None), (5, NOW - timedelta(minutes=4))],
    ids=["claim still fresh", "provider answer already recorded"],
)
def test_a_claim_cannot_be_taken_over(
    notify_db_session: None, claimed_minutes_ago: int, sent_at: datetime | None
) -> None:
    notification = _claimed_notification(NOW - timedelta(minutes=claimed_minutes_ago))
    if sent_at:
        dao_record_notification_sent(notification.id, sent_at=sent_at, reference="ref-1")

    reclaimed = dao_reclaim_stale_sending_notification(
        notification.id, claimed_at=NOW, stale_claims_before=NOW - timedelta(minutes=2)
    )

    assert reclaimed is None
    assert _reload(notification).sending_claimed_at == NOW - timedelta(minutes=claimed_minutes_ago)


def test_releasing_its_own_claim_puts_the_notification_back_to_created(notify_db_session: None) -> None:
    notification = _claimed_notification(NOW)

    released = dao_release_sending_claim(notification.id, claimed_at=NOW)

    assert released is True
    assert (_reload(notification).status, _reload(notification).sending_claimed_at) == (S.CREATED, None)


def test_releasing_keeps_the_provider_and_billable_units_of_the_failed_attempt(notify_db_session: None) -> None:
    notification = create_notification(status=S.CREATED)
    dao_update_notification_status_by_id(
        notification.id, S.SENDING, sending_claimed_at=NOW, sent_by="mmg", billable_units=2
    )

    dao_release_sending_claim(notification.id, claimed_at=NOW)

    assert (_reload(notification).sent_by, _reload(notification).billable_units) == ("mmg", 2)


def test_releasing_someone_elses_claim_changes_nothing(notify_db_session: None) -> None:
    notification = _claimed_notification(NOW)

    released = dao_release_sending_claim(notification.id, claimed_at=NOW - timedelta(minutes=5))

    assert released is False
    assert _reload(notification).status == S.SENDING


def test_releasing_after_the_answer_was_recorded_changes_nothing(notify_db_session: None) -> None:
    notification = _claimed_notification(NOW)
    dao_record_notification_sent(notification.id, sent_at=NOW, reference="ref-1")

    released = dao_release_sending_claim(notification.id, claimed_at=NOW)

    assert released is False
    assert _reload(notification).status == S.SENDING


def test_the_first_recorded_answer_wins(notify_db_session: None) -> None:
    notification = _claimed_notification(NOW)
    first = dao_record_notification_sent(notification.id, sent_at=NOW, reference="first")

    second = dao_record_notification_sent(notification.id, sent_at=NOW + timedelta(seconds=1), reference="second")

    assert (first, second) == (S.SENDING, None)
    assert (_reload(notification).reference, _reload(notification).sent_at) == ("first", NOW)


def test_recording_an_answer_keeps_a_status_a_fast_receipt_already_set(notify_db_session: None) -> None:
    notification = _claimed_notification(NOW)
    dao_update_notification_status_by_id(notification.id, S.DELIVERED)

    status = dao_record_notification_sent(notification.id, sent_at=NOW, reference="ref-1")

    assert status == S.DELIVERED
    assert (_reload(notification).status, _reload(notification).reference) == (S.DELIVERED, "ref-1")


ALL_KEYS = [
    QueueKey(notification_type, key_type, is_from_job, process_type)
    for notification_type in ("sms", "email")
    for key_type in KEY_TYPES
    for is_from_job in (False, True)
    for process_type in ("normal", "priority")
]


def _requeue_overdue(*, due_before: datetime, queue_keys: list[QueueKey] = ALL_KEYS, limit: int = 100) -> list:
    return dao_requeue_overdue_created_notifications(due_before=due_before, queue_keys=queue_keys, limit=limit)


def test_created_notifications_overdue_are_picked_for_requeue(notify_db_session: None) -> None:
    template = create_template(template_type="email")
    old = create_notification(template=template, status=S.CREATED, created_at=NOW - timedelta(minutes=30))
    create_notification(template=template, status=S.CREATED, created_at=NOW - timedelta(seconds=30))
    create_notification(template=template, status=S.SENDING, created_at=NOW - timedelta(minutes=30))

    picked = _requeue_overdue(due_before=NOW - timedelta(minutes=1))

    assert picked == [NotificationToQueue(old.id, "email", "normal", None, "normal")]


def test_a_notification_picked_for_requeue_is_due_again_only_after_the_grace(notify_db_session: None) -> None:
    create_notification(status=S.CREATED, created_at=NOW - timedelta(minutes=30))
    with freeze_time(NOW - timedelta(seconds=30)):
        _requeue_overdue(due_before=NOW - timedelta(minutes=2))

    picked_again = _requeue_overdue(due_before=NOW - timedelta(minutes=1))
    picked_later = _requeue_overdue(due_before=NOW)

    assert (len(picked_again), len(picked_later)) == (0, 1)


def test_only_notifications_in_the_given_lanes_are_picked(notify_db_session: None) -> None:
    sms = create_notification(status=S.CREATED, created_at=NOW - timedelta(minutes=30))
    create_notification(status=S.CREATED, key_type="test", created_at=NOW - timedelta(minutes=30))
    create_notification(
        template=create_template(template_type="email"), status=S.CREATED, created_at=NOW - timedelta(minutes=30)
    )

    picked = _requeue_overdue(
        due_before=NOW,
        queue_keys=[QueueKey("sms", "normal", False, "normal"), QueueKey("sms", "team", False, "normal")],
    )
    picked_without_lanes = _requeue_overdue(due_before=NOW, queue_keys=[])

    assert ([notification.id for notification in picked], picked_without_lanes) == ([sms.id], [])


def test_a_notification_is_picked_by_its_template_versions_process_type_and_its_job(notify_db_session: None) -> None:
    template = create_template(process_type="priority")
    priority = create_notification(template=template, status=S.CREATED, created_at=NOW - timedelta(minutes=30))
    dao_update_template(template, process_type="normal")  # a later version: the notification keeps its own
    normal = create_notification(template=template, status=S.CREATED, created_at=NOW - timedelta(minutes=29))

    picked_priority = _requeue_overdue(due_before=NOW, queue_keys=[QueueKey("sms", "normal", False, "priority")])
    picked_normal = _requeue_overdue(due_before=NOW, queue_keys=[QueueKey("sms", "normal", False, "normal")])

    assert picked_priority == [NotificationToQueue(priority.id, "sms", "normal", None, "priority")]
    assert picked_normal == [NotificationToQueue(normal.id, "sms", "normal", None, "normal")]


def test_requeue_picks_at_most_the_batch_size_oldest_first(notify_db_session: None) -> None:
    template = create_template()
    created = [
        create_notification(template=template, status=S.CREATED, created_at=NOW - timedelta(minutes=minutes))
        for minutes in (40, 60, 50)
    ]

    picked = _requeue_overdue(due_before=NOW - timedelta(minutes=10), limit=2)

    assert {notification.id for notification in picked} == {created[1].id, created[2].id}


def test_stale_claims_without_an_answer_are_handed_back(notify_db_session: None) -> None:
    stale = _claimed_notification(NOW - timedelta(minutes=10))
    _claimed_notification(NOW)
    answered = _claimed_notification(NOW - timedelta(minutes=10))
    dao_record_notification_sent(answered.id, sent_at=NOW, reference="ref-1")

    released = dao_release_stale_sending_claims(claimed_before=NOW - timedelta(minutes=2), limit=100)

    assert [notification.id for notification in released] == [stale.id]
    assert _reload(stale).status == S.CREATED


@pytest.mark.parametrize("status", [S.SENDING, S.PENDING], ids=str)
def test_notifications_waiting_too_long_for_a_receipt_time_out(notify_db_session: None, status: S) -> None:
    notification = create_notification(status=status, created_at=NOW - timedelta(days=4))

    timed_out = dao_timeout_sending_notifications(created_before=NOW - timedelta(days=3), limit=100)

    assert [row.id for row in timed_out] == [notification.id]
    assert _reload(notification).status == S.TEMPORARY_FAILURE


@pytest.mark.parametrize(
    ("status", "days_ago"),
    [(S.SENDING, 2), (S.CREATED, 4), (S.DELIVERED, 4)],
    ids=["sending but recent", "created", "delivered"],
)
def test_timeout_leaves_other_notifications_alone(notify_db_session: None, status: S, days_ago: int) -> None:
    notification = create_notification(status=status, created_at=NOW - timedelta(days=days_ago))

    timed_out = dao_timeout_sending_notifications(created_before=NOW - timedelta(days=3), limit=100)

    assert timed_out == []
    assert _reload(notification).status == status


def test_a_notification_waiting_for_its_retry_is_not_overdue_before_its_next_attempt(
    notify_db_session: None,
) -> None:
    notification = create_notification(status=S.CREATED, created_at=NOW - timedelta(minutes=30))
    dao_update_notification_next_attempt_at(notification.id, next_attempt_at=NOW + timedelta(minutes=5))

    picked_before = _requeue_overdue(due_before=NOW + timedelta(minutes=4))
    picked_after = _requeue_overdue(due_before=NOW + timedelta(minutes=6))

    assert (picked_before, [row.id for row in picked_after]) == ([], [notification.id])


def test_the_next_attempt_of_a_notification_no_longer_created_is_left_alone(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)

    dao_update_notification_next_attempt_at(notification.id, next_attempt_at=NOW)

    assert _reload(notification).next_attempt_at is None


def test_a_stale_claim_handed_back_is_due_now(notify_db_session: None) -> None:
    stale = _claimed_notification(NOW - timedelta(minutes=10))

    with freeze_time(NOW):
        dao_release_stale_sending_claims(claimed_before=NOW - timedelta(minutes=2), limit=100)

    assert _reload(stale).next_attempt_at == NOW


def _deferred_stale_claim(*, next_attempt_at: datetime) -> Notification:
    notification = create_notification(status=S.CREATED)
    dao_update_notification_next_attempt_at(notification.id, next_attempt_at=next_attempt_at)
    dao_update_notification_status_by_id(notification.id, S.SENDING, sending_claimed_at=NOW - timedelta(minutes=10))
    return notification


@freeze_time(NOW)
def test_a_stale_claim_whose_next_attempt_is_still_to_come_is_left_alone(notify_db_session: None) -> None:
    notification = _deferred_stale_claim(next_attempt_at=NOW + timedelta(minutes=5))

    released = dao_release_stale_sending_claims(claimed_before=NOW - timedelta(minutes=1), limit=100)
    reclaimed = dao_reclaim_stale_sending_notification(
        notification.id, claimed_at=NOW, stale_claims_before=NOW - timedelta(minutes=1)
    )

    assert (released, reclaimed, _reload(notification).status) == ([], None, S.SENDING)


@freeze_time(NOW)
def test_a_stale_claim_whose_next_attempt_has_come_is_handed_back(notify_db_session: None) -> None:
    notification = _deferred_stale_claim(next_attempt_at=NOW - timedelta(seconds=1))

    released = dao_release_stale_sending_claims(claimed_before=NOW - timedelta(minutes=1), limit=100)

    assert [row.id for row in released] == [notification.id]
