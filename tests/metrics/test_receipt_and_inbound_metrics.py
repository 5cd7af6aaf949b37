"""Receipts count `callback.<provider>.<status>` and time `callback.<provider>.elapsed-time`; inbound SMS counts
`inbound.<provider>.successful|failed`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.clients.statsd_client import StatsdClient
from app.clock import utc_now
from app.dao.inbound_numbers_dao import dao_assign_inbound_number
from app.inbound_sms.receive import receive_inbound_sms
from app.notification_status import NotificationStatus
from app.receipts.ses_receipts import process_ses_receipt
from app.receipts.sms_receipts import process_firetext_receipt, process_mmg_receipt
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.factories import create_notification, create_service, create_template
from tests.receipts.payloads import firetext_receipt, mmg_receipt, ses_event

S = NotificationStatus


def metrics_under(namespace: str, datagrams: list[str]) -> list[tuple[str, float, str]]:
    """(name without the prefix, value, type) of each datagram under ``namespace``, in arrival order."""
    found = []
    for datagram in datagrams:
        match = re.fullmatch(rf"{re.escape(STATSD_PREFIX)}\.({namespace}\.[^:]+):([\d.]+)\|(c|ms)", datagram)
        if match:
            found.append((match.group(1), float(match.group(2)), match.group(3)))
    return found


@pytest.mark.parametrize(
    ("fixture", "status"),
    [("delivered", "delivered"), ("permanent_failure", "permanent-failure")],
    ids=["delivered", "permanent-failure"],
)
def test_a_final_mmg_receipt_is_counted_by_status_and_timed_from_sent_at(
    notify_db_session: None,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
    fixture: str,
    status: str,
):
    notification = create_notification(status=S.SENDING, sent_at=utc_now() - timedelta(seconds=4), sent_by="mmg")

    process_mmg_receipt(mmg_receipt(fixture, CID=str(notification.id)))

    (count, elapsed) = metrics_under("callback", statsd_listener.receive_all())
    assert count == (f"callback.mmg.{status}", 1, "c")
    assert elapsed[0::2] == ("callback.mmg.elapsed-time", "ms")
    assert 4000 <= elapsed[1] < 5000


def test_a_pending_receipt_is_counted_but_not_timed(
    notify_db_session: None, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    notification = create_notification(status=S.SENDING, sent_at=utc_now(), sent_by="firetext")

    process_firetext_receipt(firetext_receipt("pending", reference=str(notification.id)))

    assert metrics_under("callback", statsd_listener.receive_all()) == [("callback.firetext.pending", 1, "c")]


def test_a_duplicate_receipt_counts_nothing(
    notify_db_session: None, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    notification = create_notification(status=S.DELIVERED, sent_at=utc_now(), sent_by="mmg")

    process_mmg_receipt(mmg_receipt("delivered", CID=str(notification.id)))

    assert metrics_under("callback", statsd_listener.receive_all()) == []


def test_an_ses_complaint_is_counted_once(
    notify_db_session: None, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    create_notification(
        template=create_template(template_type="email"),
        status=S.DELIVERED,
        sent_at=utc_now(),
        sent_by="ses",
        reference="ses-message-1",
    )

    process_ses_receipt(ses_event("complaint", message_id="ses-message-1"))
    process_ses_receipt(ses_event("complaint", message_id="ses-message-1"))  # SES repeats itself: stored once

    assert metrics_under("callback", statsd_listener.receive_all()) == [("callback.ses.complaint", 1, "c")]


def receive(notify_number: str) -> None:
    receive_inbound_sms(
        provider="mmg",
        notify_number=notify_number,
        user_number="447700900123",
        content="Hello",
        provider_reference="mmg-1",
        provider_date=None,
    )


def test_a_stored_inbound_sms_counts_as_successful(
    notify_db_session: None, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    service = create_service(permissions=["sms", "inbound_sms"])
    dao_assign_inbound_number(service.id, number="07700900001", provider="mmg")

    receive("07700900001")

    assert metrics_under("inbound", statsd_listener.receive_all()) == [("inbound.mmg.successful", 1, "c")]


def test_an_inbound_sms_for_a_number_no_service_owns_counts_as_failed(
    notify_db_session: None, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    receive("07700900999")

    assert metrics_under("inbound", statsd_listener.receive_all()) == [("inbound.mmg.failed", 1, "c")]


def test_an_inbound_sms_for_a_service_without_the_permission_counts_as_failed(
    notify_db_session: None, installed_statsd_client: StatsdClient, statsd_listener: StatsdListener
):
    service = create_service(permissions=["sms"])
    dao_assign_inbound_number(service.id, number="07700900001", provider="mmg")

    receive("07700900001")

    assert metrics_under("inbound", statsd_listener.receive_all()) == [("inbound.mmg.failed", 1, "c")]
