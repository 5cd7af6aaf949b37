"""MMG and Firetext receipts applied to real notifications: statuses, duplicates, late and unknown receipts."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any
from unittest.mock import MagicMock

import pytest
from flask import Flask
from sqlalchemy import event

from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_status_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.notification_status import NotificationStatus
from app.receipts.errors import InvalidReceiptError, ReceiptForUnknownNotificationError
from app.receipts.sms_receipts import process_firetext_receipt, process_mmg_receipt
from tests.factories import create_notification, create_template
from tests.receipts.payloads import firetext_receipt, mmg_receipt

S = NotificationStatus


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("delivered", S.DELIVERED),
        ("permanent_failure", S.PERMANENT_FAILURE),
        ("temporary_failure", S.TEMPORARY_FAILURE),
    ],
    ids=["delivered", "permanent-failure", "temporary-failure"],
)
def test_mmg_receipt_moves_a_sending_notification_to(notify_db_session: None, fixture: str, expected: S) -> None:
    notification = create_notification(status=S.SENDING)

    process_mmg_receipt(mmg_receipt(fixture, CID=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == expected


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [("delivered", S.DELIVERED), ("pending", S.PENDING), ("declined_code101", S.PERMANENT_FAILURE)],
    ids=["delivered", "pending", "declined-unknown-subscriber"],
)
def test_firetext_receipt_moves_a_sending_notification_to(notify_db_session: None, fixture: str, expected: S) -> None:
    notification = create_notification(status=S.SENDING)

    process_firetext_receipt(firetext_receipt(fixture, reference=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == expected


def test_firetext_decline_without_a_code_after_pending_is_a_temporary_failure(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)
    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))

    process_firetext_receipt({"reference": str(notification.id), "status": "1"})

    assert dao_get_notification_status_by_id(notification.id) == S.TEMPORARY_FAILURE


def test_firetext_decline_without_a_code_straight_from_sending_is_a_permanent_failure(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)

    process_firetext_receipt({"reference": str(notification.id), "status": "1"})

    assert dao_get_notification_status_by_id(notification.id) == S.PERMANENT_FAILURE


def test_firetext_absent_subscriber_code_is_a_temporary_failure_even_from_sending(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)

    process_firetext_receipt({"reference": str(notification.id), "status": "1", "code": "102"})

    assert dao_get_notification_status_by_id(notification.id) == S.TEMPORARY_FAILURE


def test_firetext_pending_then_delivered_ends_delivered(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)
    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))

    process_firetext_receipt(firetext_receipt("delivered", reference=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_mmg_unknown_status_is_a_technical_failure_with_an_error_log(
    notify_db_session: None, caplog: pytest.LogCaptureFixture
) -> None:
    notification = create_notification(status=S.SENDING)

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id), status="7"))

    assert dao_get_notification_status_by_id(notification.id) == S.TECHNICAL_FAILURE
    assert [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR] == [
        f"MMG callback failed: status 7 not found.; notification {notification.id} is now technical-failure"
    ]


def test_mmg_unknown_status_for_a_delivered_notification_changes_nothing_and_logs_no_error(
    notify_db_session: None, caplog: pytest.LogCaptureFixture
) -> None:
    notification = create_notification(status=S.DELIVERED)

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id), status="7"))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED
    assert [record.levelno for record in caplog.records if record.name == "app.receipts.apply_receipt"] == [
        logging.WARNING
    ]


def test_receipt_for_a_sending_notification_is_one_update_and_reads_nothing_first(
    notify_api: Flask, notify_db_session: None
) -> None:
    notification_id = create_notification(status=S.SENDING).id
    statements: list[str] = []
    engine = db.engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        process_mmg_receipt(mmg_receipt("delivered", CID=str(notification_id)))
    finally:
        event.remove(engine, "before_cursor_execute", record)

    # The UPDATE, then (once per service, then cached) whether the service wants delivery-status callbacks.
    assert [statement.split()[0] for statement in statements] == ["UPDATE", "SELECT"]
    assert "service_callback" in statements[1]
    assert dao_get_notification_status_by_id(notification_id) == S.DELIVERED


def test_firetext_unknown_status_after_pending_is_a_technical_failure(notify_db_session: None) -> None:
    notification = create_notification(status=S.PENDING)

    process_firetext_receipt({"reference": str(notification.id), "status": "9"})

    assert dao_get_notification_status_by_id(notification.id) == S.TECHNICAL_FAILURE


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("delivered", "delivered"),
        ("delivered", "permanent_failure"),
        ("permanent_failure", "delivered"),
        ("temporary_failure", "delivered"),
    ],
    ids=["duplicate", "late-failure-after-delivered", "late-delivered-after-failure", "late-after-temporary"],
)
def test_second_final_mmg_receipt_changes_nothing_and_logs_a_warning(
    notify_db_session: None, caplog: pytest.LogCaptureFixture, first: str, second: str
) -> None:
    notification = create_notification(status=S.SENDING)
    process_mmg_receipt(mmg_receipt(first, CID=str(notification.id)))
    after_first = dao_get_notification_by_id(notification.id)
    first_status, first_updated_at = after_first.status, after_first.updated_at

    process_mmg_receipt(mmg_receipt(second, CID=str(notification.id)))

    after_second = dao_get_notification_by_id(notification.id)
    assert (after_second.status, after_second.updated_at) == (first_status, first_updated_at)
    assert any(
        record.levelno == logging.WARNING and "Duplicate or late mmg receipt" in record.getMessage()
        for record in caplog.records
    )


def test_firetext_pending_after_delivered_changes_nothing(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENDING)
    process_firetext_receipt(firetext_receipt("delivered", reference=str(notification.id)))

    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.DELIVERED


def test_receipt_for_an_international_message_without_receipts_keeps_it_sent(notify_db_session: None) -> None:
    notification = create_notification(status=S.SENT, international=True)

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.SENT


def test_receipt_for_a_notification_not_handed_to_a_provider_changes_nothing(notify_db_session: None) -> None:
    notification = create_notification(status=S.CREATED)

    process_mmg_receipt(mmg_receipt("permanent_failure", CID=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.CREATED


def _awaiting_its_receipt(**factory_arguments: Any) -> uuid.UUID:
    """A `created` notification whose last send (to MMG) may have been taken: it kept the reference receipts carry."""
    notification_id = uuid.uuid4()
    create_notification(
        notification_id=notification_id,
        status=S.CREATED,
        sent_by="mmg",
        reference=str(notification_id),
        **factory_arguments,
    )
    return notification_id


@pytest.mark.parametrize(
    ("receipt", "expected"),
    [
        (lambda reference: mmg_receipt("delivered", CID=reference), S.DELIVERED),
        (lambda reference: mmg_receipt("temporary_failure", CID=reference), S.TEMPORARY_FAILURE),
        (lambda reference: firetext_receipt("delivered", reference=reference), S.DELIVERED),
        (lambda reference: firetext_receipt("pending", reference=reference), S.PENDING),
        (lambda reference: firetext_receipt("declined_code101", reference=reference), S.PERMANENT_FAILURE),
    ],
    ids=["mmg-delivered", "mmg-temporary-failure", "firetext-delivered", "firetext-pending", "firetext-declined"],
)
def test_receipt_for_a_send_that_may_have_been_taken_is_applied_although_its_claim_was_handed_back(
    notify_db_session: None, receipt: Callable[[str], dict[str, Any]], expected: S
) -> None:
    notification_id = _awaiting_its_receipt()
    payload = receipt(str(notification_id))
    process = process_mmg_receipt if "CID" in payload else process_firetext_receipt

    process(payload)

    row = dao_get_notification_by_id(notification_id)
    assert (row.status, row.sent_by, row.sent_at is not None, row.receipt_wait_until) == (
        expected,
        "mmg" if process is process_mmg_receipt else "firetext",
        True,
        None,
    )


def test_receipt_for_a_send_that_may_have_been_taken_queues_the_delivery_status_callback(
    notify_db_session: None, send_task: MagicMock
) -> None:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    notification_id = _awaiting_its_receipt(template=template)

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification_id)))

    send_task.assert_called_once_with("send_delivery_status_to_service", args=[str(notification_id)], queue="callbacks")


def test_receipt_for_a_created_notification_without_a_recorded_reference_changes_nothing_and_is_logged(
    notify_db_session: None, caplog: pytest.LogCaptureFixture
) -> None:
    notification = create_notification(status=S.CREATED, sent_by="mmg")

    with caplog.at_level(logging.WARNING, logger="app.receipts.apply_receipt"):
        process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))

    assert dao_get_notification_status_by_id(notification.id) == S.CREATED
    assert [record.notification_status for record in caplog.records] == [S.CREATED]


def test_receipt_for_an_unknown_notification_is_worth_a_retry(notify_db_session: None) -> None:
    unknown_id = uuid.uuid4()

    with pytest.raises(ReceiptForUnknownNotificationError) as raised:
        process_mmg_receipt(mmg_receipt("delivered", CID=str(unknown_id)))

    assert (raised.value.provider, raised.value.reference) == ("mmg", str(unknown_id))


@pytest.mark.parametrize("reference", ["not-a-uuid", "", None], ids=["malformed", "empty", "missing"])
def test_receipt_whose_reference_is_not_a_notification_id_is_invalid(
    notify_db_session: None, reference: str | None
) -> None:
    with pytest.raises(InvalidReceiptError):
        process_firetext_receipt({"reference": reference, "status": "0"})


def test_final_receipt_queues_the_delivery_status_callback(notify_db_session: None, send_task: MagicMock) -> None:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    notification = create_notification(template=template, status=S.SENDING)

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))

    send_task.assert_called_once_with("send_delivery_status_to_service", args=[str(notification.id)], queue="callbacks")


def test_pending_receipt_queues_no_callback(notify_db_session: None, send_task: MagicMock) -> None:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    notification = create_notification(template=template, status=S.SENDING)

    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))

    assert send_task.call_count == 0


def test_duplicate_receipt_queues_no_second_callback(notify_db_session: None, send_task: MagicMock) -> None:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    notification = create_notification(template=template, status=S.SENDING)
    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))

    assert send_task.call_count == 1


def _race(app: Flask, receipts: list[Callable[[], Any]]) -> None:
    barrier = threading.Barrier(len(receipts))

    def run(apply: Callable[[], Any]) -> None:
        with app.app_context():
            barrier.wait()
            apply()

    threads = [threading.Thread(target=run, args=(apply,)) for apply in receipts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.parametrize("round_number", range(3), ids=lambda number: f"round-{number}")
def test_concurrent_receipts_from_both_providers_leave_one_final_status_and_one_callback(
    notify_api: Flask, notify_db_session: None, send_task: MagicMock, round_number: int
) -> None:
    template = create_template()
    dao_save_service_callback(
        template.service_id, callback_type="delivery_status", url="https://example.com/cb", bearer_token="token-12345"
    )
    notification = create_notification(template=template, status=S.SENDING)
    reference = str(notification.id)
    receipts: list[Callable[[], Any]] = [
        lambda: process_mmg_receipt(mmg_receipt("delivered", CID=reference)),
        lambda: process_mmg_receipt(mmg_receipt("permanent_failure", CID=reference)),
        lambda: process_mmg_receipt(mmg_receipt("temporary_failure", CID=reference)),
        lambda: process_firetext_receipt(firetext_receipt("pending", reference=reference)),
        lambda: process_firetext_receipt(firetext_receipt("declined_code101", reference=reference)),
        lambda: process_firetext_receipt(firetext_receipt("delivered", reference=reference)),
    ]

    _race(notify_api, receipts)

    assert dao_get_notification_status_by_id(notification.id) in {
        S.DELIVERED,
        S.PERMANENT_FAILURE,
        S.TEMPORARY_FAILURE,
    }
    assert send_task.call_count == 1


def test_second_firetext_pending_changes_nothing_and_logs_a_warning(
    notify_db_session: None, caplog: pytest.LogCaptureFixture
) -> None:
    notification = create_notification(status=S.SENDING)
    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))
    first_updated_at = dao_get_notification_by_id(notification.id).updated_at

    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))

    after = dao_get_notification_by_id(notification.id)
    assert (after.status, after.updated_at) == (S.PENDING, first_updated_at)
    assert [record.levelno for record in caplog.records if "Duplicate or late" in record.getMessage()] == [
        logging.WARNING
    ]
