"""Receipt tasks: apply a receipt, retry one that may have beaten its send's commit for a short while, drop the rest."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from celery.exceptions import Retry

from app.celery.process_receipt_tasks import process_ses_receipt, process_sms_receipt
from app.dao.notifications_dao import dao_get_notification_status_by_id
from app.notification_status import NotificationStatus
from tests.celery.task_runs import run_as_retry
from tests.factories import create_notification, create_template
from tests.receipts.payloads import firetext_receipt, mmg_receipt, ses_event

S = NotificationStatus
each_sms_provider = pytest.mark.parametrize(
    ("provider", "receipt_for"),
    [
        ("mmg", lambda notification_id: mmg_receipt("delivered", CID=notification_id)),
        ("firetext", lambda notification_id: firetext_receipt("delivered", reference=notification_id)),
    ],
    ids=["mmg", "firetext"],
)


@pytest.fixture
def sms_retry() -> Iterator[MagicMock]:
    with patch.object(process_sms_receipt, "retry", side_effect=Retry()) as retry:
        yield retry


@each_sms_provider
def test_sms_receipt_task_applies_the_receipt(
    notify_db_session: None, provider: str, receipt_for: Callable[[str], dict[str, Any]]
) -> None:
    notification = create_notification(status=S.SENDING)

    process_sms_receipt(provider, receipt_for(str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_ses_receipt_task_applies_the_event(notify_db_session: None) -> None:
    notification = create_notification(
        template=create_template(template_type="email"), status=S.SENDING, reference="ses-message-1"
    )

    process_ses_receipt(ses_event("delivery", message_id="ses-message-1"))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


@pytest.fixture
def ses_retry() -> Iterator[MagicMock]:
    with patch.object(process_ses_receipt, "retry", side_effect=Retry()) as retry:
        yield retry


def _just_accepted(message_id: str) -> dict[str, Any]:
    """A SES Delivery event for a message SES accepted a moment ago."""
    return ses_event("delivery", message_id=message_id, accepted_at=datetime.now(UTC) - timedelta(seconds=2))


@pytest.mark.parametrize(
    ("retries", "countdown"),
    [(0, 10), (1, 20), (2, 30), (3, 45), (4, 60)],
    ids=lambda value: str(value),
)
def test_ses_event_for_an_email_ses_just_accepted_but_not_recorded_yet_is_retried_soon(
    notify_db_session: None, ses_retry: MagicMock, retries: int, countdown: int
) -> None:
    with pytest.raises(Retry):
        run_as_retry(process_ses_receipt, retries, _just_accepted("not-recorded-yet"))

    ses_retry.assert_called_once_with(exc=None, countdown=countdown, queue="receipts")


def test_ses_event_retried_after_the_send_records_its_reference_is_applied(
    notify_db_session: None, ses_retry: MagicMock
) -> None:
    event = _just_accepted("recorded-late")
    with pytest.raises(Retry):
        process_ses_receipt(event)
    notification = create_notification(
        template=create_template(template_type="email"), status=S.SENDING, reference="recorded-late"
    )

    run_as_retry(process_ses_receipt, 1, event)

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_ses_event_still_unknown_after_five_retries_is_dropped_with_a_warning(
    notify_db_session: None, ses_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    run_as_retry(process_ses_receipt, 5, _just_accepted("never-recorded"))

    assert ses_retry.call_count == 0
    assert [(record.levelno, record.getMessage()) for record in caplog.records] == [
        (logging.WARNING, "No notification for ses receipt reference never-recorded; dropped after 5 retries")
    ]


@pytest.mark.parametrize(
    "accepted_ago",
    [timedelta(minutes=6), timedelta(minutes=-2), None],
    ids=["accepted-6-minutes-ago", "accepted-in-the-future", "no-timestamp"],
)
def test_ses_event_for_an_unknown_email_not_just_accepted_is_dropped_at_once(
    notify_db_session: None, ses_retry: MagicMock, caplog: pytest.LogCaptureFixture, accepted_ago: timedelta | None
) -> None:
    accepted_at = None if accepted_ago is None else datetime.now(UTC) - accepted_ago
    event = ses_event("delivery", message_id="unknown", accepted_at=accepted_at)
    if accepted_at is None:
        del event["mail"]["timestamp"]

    process_ses_receipt(event)

    assert (ses_retry.call_count, caplog.messages) == (
        0,
        ["No notification for ses receipt reference unknown; receipt dropped"],
    )


@each_sms_provider
def test_sms_receipt_for_a_notification_herald_does_not_have_is_dropped_at_once(
    notify_db_session: None,
    sms_retry: MagicMock,
    caplog: pytest.LogCaptureFixture,
    provider: str,
    receipt_for: Callable[[str], dict[str, Any]],
) -> None:
    unknown_id = str(uuid.uuid4())

    process_sms_receipt(provider, receipt_for(unknown_id))

    assert (sms_retry.call_count, caplog.messages) == (
        0,
        [f"No notification for {provider} receipt reference {unknown_id}; receipt dropped"],
    )


def test_receipt_with_a_malformed_reference_is_dropped_without_a_retry(
    notify_db_session: None, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    process_sms_receipt("mmg", mmg_receipt("delivered", CID="not-a-uuid"))

    assert sms_retry.call_count == 0
    assert [record.levelno for record in caplog.records] == [logging.WARNING]


def test_receipt_from_an_unknown_provider_is_dropped_with_an_error(
    notify_db_session: None, sms_retry: MagicMock, caplog: pytest.LogCaptureFixture
) -> None:
    process_sms_receipt("carrier-pigeon", {"reference": str(uuid.uuid4()), "status": "0"})

    assert sms_retry.call_count == 0
    assert [record.levelno for record in caplog.records] == [logging.ERROR]
