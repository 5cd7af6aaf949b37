"""The beat tasks run the safety nets and the provider weights (each a thin call to its domain function)."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import MagicMock, patch

from flask import Flask

from app.celery.scheduled_tasks import (
    requeue_created_notifications,
    requeue_stale_sending_claims,
    tend_providers_back_to_middle,
    timeout_sending_notifications,
)
from app.clock import utc_now
from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_status_by_id
from tests.factories import create_notification


def test_requeue_created_notifications_queues_a_forgotten_notification(
    notify_api: Flask, notify_db_session: None
) -> None:
    notification = create_notification(created_at=utc_now() - timedelta(hours=1))

    with patch("app.celery.task_queue.queue_task") as send_task:
        queued = requeue_created_notifications()

    assert (queued, send_task.call_args.kwargs["args"]) == (1, [str(notification.id)])


def test_requeue_stale_sending_claims_hands_a_dead_workers_claim_back(
    notify_api: Flask, notify_db_session: None
) -> None:
    notification = create_notification()
    dao_update_notification_status_by_id(notification.id, "sending", sending_claimed_at=utc_now() - timedelta(hours=1))

    with patch("app.celery.task_queue.queue_task"):
        queued = requeue_stale_sending_claims()

    assert (queued, dao_get_notification_status_by_id(notification.id)) == (1, "created")


def test_timeout_sending_notifications_times_out_a_silent_notification(notify_db_session: None) -> None:
    notification = create_notification(status="sending", created_at=utc_now() - timedelta(days=4))

    timed_out = timeout_sending_notifications()

    assert (timed_out, dao_get_notification_status_by_id(notification.id)) == (1, "temporary-failure")


@patch("app.celery.scheduled_tasks.provider_priorities.tend_sms_providers_to_resting_points", return_value=["mmg"])
def test_tend_providers_back_to_middle_tends_the_weights(tend: MagicMock) -> None:
    changed = tend_providers_back_to_middle()

    assert changed == ["mmg"]
