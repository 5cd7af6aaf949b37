"""Claims: one worker at a time may send a notification; a dead worker's claim is taken over after the lease; a
send that may have been taken waits for its receipt, and a receipt stops every later claim."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun import freeze_time

from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.delivery.claims import (
    SendingClaim,
    claim_notification_for_sending,
    record_provider_answer,
    release_claim,
    release_claim_to_await_receipt,
)
from app.notification_status import NotificationStatus
from app.receipts.sms_receipts import process_mmg_receipt
from tests.celery.database_faults import terminate_session_connection
from tests.factories import create_notification

S = NotificationStatus
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@freeze_time(NOW)
def test_a_claim_moves_the_notification_to_sending_with_its_provider_and_units(notify_db_session: None) -> None:
    notification = create_notification()

    claim = claim_notification_for_sending(notification.id, provider="mmg", billable_units=3)

    row = dao_get_notification_by_id(notification.id)
    assert claim is not None
    assert (row.status, row.sent_by, row.billable_units, row.sending_claimed_at) == (S.SENDING, "mmg", 3, NOW)


def test_a_second_claim_is_refused(notify_db_session: None) -> None:
    notification = create_notification()
    claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)

    second = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    assert second is None
    assert dao_get_notification_by_id(notification.id).sent_by == "mmg"


def test_a_claim_older_than_the_lease_without_an_answer_is_taken_over(notify_db_session: None) -> None:
    notification = create_notification()
    with freeze_time(NOW - timedelta(seconds=121)):
        claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)

    with freeze_time(NOW):
        taken_over = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    assert taken_over is not None
    assert (dao_get_notification_by_id(notification.id).sent_by, taken_over.claimed_at) == ("firetext", NOW)


def test_a_claim_with_a_recorded_answer_is_never_taken_over(notify_db_session: None) -> None:
    notification = create_notification()
    with freeze_time(NOW - timedelta(hours=1)):
        first = claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)
        assert first is not None
        record_provider_answer(first, reference="mmg-1")

    with freeze_time(NOW):
        second = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    assert second is None


def test_a_released_claim_can_be_claimed_again(notify_db_session: None) -> None:
    notification = create_notification()
    first = claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)
    assert first is not None
    release_claim(first)

    second = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    assert second is not None
    assert dao_get_notification_by_id(notification.id).status == S.SENDING


def test_a_final_notification_is_never_claimed(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)
    dao_update_notification_status_by_id(notification.id, S.DELIVERED)

    claim = claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)

    assert claim is None


@freeze_time(NOW)
def test_recording_the_answer_stores_reference_and_sent_at(notify_db_session: None) -> None:
    notification = create_notification()
    claim = claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)
    assert claim is not None

    recorded = record_provider_answer(claim, reference="mmg-1")

    row = dao_get_notification_by_id(notification.id)
    assert (row.reference, row.sent_at) == ("mmg-1", NOW)
    assert (recorded.sent_at, recorded.status) == (NOW, "sending")


def _sent_without_an_answer(notification_id: object, *, at: datetime = NOW) -> SendingClaim:
    """Claim at ``at`` for MMG and hand the claim back as a send that may have been taken (AMBIGUOUS wait: 180 s)."""
    with freeze_time(at):
        claim = claim_notification_for_sending(notification_id, provider="mmg", billable_units=1)  # type: ignore[arg-type]
        assert claim is not None
        assert release_claim_to_await_receipt(claim, reference=str(notification_id))
    return claim


def test_a_claim_handed_back_to_await_a_receipt_keeps_the_reference_and_the_wait(notify_db_session: None) -> None:
    notification = create_notification()

    _sent_without_an_answer(notification.id)

    row = dao_get_notification_by_id(notification.id)
    assert (row.status, row.reference, row.sent_by, row.sent_at, row.sending_claimed_at) == (
        S.CREATED,
        str(notification.id),
        "mmg",
        None,
        None,
    )
    assert row.receipt_wait_until == NOW + timedelta(seconds=180)


def test_a_claim_is_refused_while_a_send_that_may_have_been_taken_waits_for_its_receipt(
    notify_db_session: None,
) -> None:
    notification = create_notification()
    _sent_without_an_answer(notification.id)

    with freeze_time(NOW + timedelta(seconds=179)):
        claim = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    assert (claim, dao_get_notification_by_id(notification.id).status) == (None, S.CREATED)


def test_a_claim_is_taken_once_the_wait_for_a_receipt_is_over(notify_db_session: None) -> None:
    notification = create_notification()
    _sent_without_an_answer(notification.id)

    with freeze_time(NOW + timedelta(seconds=180)):
        claim = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    row = dao_get_notification_by_id(notification.id)
    assert claim is not None
    assert (row.status, row.sent_by, row.receipt_wait_until) == (S.SENDING, "firetext", None)


def test_a_claim_is_refused_once_the_receipt_of_a_send_that_may_have_been_taken_has_come(
    notify_db_session: None,
) -> None:
    notification = create_notification()
    _sent_without_an_answer(notification.id)
    with freeze_time(NOW + timedelta(seconds=30)):
        process_mmg_receipt({"CID": str(notification.id), "status": "3", "substatus": "2"})

    with freeze_time(NOW + timedelta(hours=1)):
        claim = claim_notification_for_sending(notification.id, provider="firetext", billable_units=1)

    row = dao_get_notification_by_id(notification.id)
    assert claim is None
    assert (row.status, row.sent_by, row.sent_at) == (S.DELIVERED, "mmg", NOW + timedelta(seconds=30))


def test_handing_back_to_await_a_receipt_changes_nothing_once_a_receipt_has_come(notify_db_session: None) -> None:
    notification = create_notification()
    with freeze_time(NOW):
        claim = claim_notification_for_sending(notification.id, provider="mmg", billable_units=1)
    assert claim is not None
    process_mmg_receipt({"CID": str(notification.id), "status": "3", "substatus": "2"})

    released = release_claim_to_await_receipt(claim, reference=str(notification.id))

    row = dao_get_notification_by_id(notification.id)
    assert (released, row.status, row.receipt_wait_until) == (False, S.DELIVERED, None)


def test_the_answer_is_recorded_even_when_the_database_connection_died_during_the_provider_call(
    notify_db_session: None,
) -> None:
    notification_id = create_notification().id
    claim = claim_notification_for_sending(notification_id, provider="mmg", billable_units=1)
    assert claim is not None

    terminate_session_connection()  # PostgreSQL restarted while the provider was answering
    recorded = record_provider_answer(claim, reference="mmg-1")

    row = dao_get_notification_by_id(notification_id)
    assert (recorded.status, row.reference, row.sent_at is not None) == (S.SENDING, "mmg-1", True)
