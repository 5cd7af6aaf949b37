"""The guarded status UPDATE: the status machine enforced in the WHERE clause, also under concurrent writers."""

from __future__ import annotations

import itertools
import threading
import uuid

import pytest
from flask import Flask

from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import NotificationStatus, is_transition_allowed
from tests.factories import create_notification

S = NotificationStatus
EVERY_TRANSITION = list(itertools.product(S, S))


@pytest.mark.parametrize(("current", "target"), EVERY_TRANSITION, ids=str)
def test_guarded_update_applies_exactly_the_allowed_transitions(
    notify_db_session: None, current: NotificationStatus, target: NotificationStatus
) -> None:
    notification = create_notification(status=current)

    updated = dao_update_notification_status_by_id(notification.id, target)

    expected = target if is_transition_allowed(current, target) else current
    assert (updated is not None, dao_get_notification_status_by_id(notification.id)) == (
        is_transition_allowed(current, target),
        expected,
    )


def test_only_from_narrows_the_allowed_statuses(notify_db_session: None) -> None:
    notification = create_notification(status=S.PENDING)

    updated = dao_update_notification_status_by_id(notification.id, S.DELIVERED, only_from=[S.SENDING])

    assert (updated, dao_get_notification_status_by_id(notification.id)) == (None, S.PENDING)


def _race_final_statuses(app: Flask, notification_id: uuid.UUID, targets: list[NotificationStatus]) -> list[str]:
    """Let one thread per target try to finish the notification at the same moment; return the winners."""
    barrier = threading.Barrier(len(targets))
    winners: list[str] = []
    lock = threading.Lock()

    def attempt(target: NotificationStatus) -> None:
        with app.app_context():
            barrier.wait()
            if dao_update_notification_status_by_id(notification_id, target) is not None:
                with lock:
                    winners.append(target)

    threads = [threading.Thread(target=attempt, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return winners


@pytest.mark.parametrize("round_number", range(5), ids=lambda number: f"round-{number}")
def test_concurrent_final_statuses_for_one_notification_leave_exactly_one_winner(
    notify_api: Flask, notify_db_session: None, round_number: int
) -> None:
    notification = create_notification(status=S.SENDING)
    targets = [S.DELIVERED, S.PERMANENT_FAILURE, S.TEMPORARY_FAILURE, S.TECHNICAL_FAILURE] * 2

    winners = _race_final_statuses(notify_api, notification.id, targets)

    assert len(winners) == 1
    assert dao_get_notification_status_by_id(notification.id) == winners[0]
