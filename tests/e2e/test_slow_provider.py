"""A provider slower than Herald's timeout that takes the message anyway: the whole stack (API under gunicorn, a real
Celery worker on a real Redis broker, the provider simulator) must deliver the text or the email once, not once per
attempt. SES gives its message id only in the answer Herald stopped waiting for: its events find the email by the
notification id header the simulator repeats, as SES does."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from notifications_python_client import NotificationsAPIClient

from app.dao.notifications_dao import dao_get_notification_by_id
from app.extensions import db
from tests.e2e.live_service import LiveService
from tests.e2e.stack import HeraldStack, herald_on_its_own_broker
from tests.e2e.test_whole_stack import send_email, send_sms, simulator_messages, wait_for_final_status

pytestmark = pytest.mark.e2e

PROVIDER_TIMEOUT_SECONDS = 1
RECEIPT_WAIT_SECONDS = 6
# The providers take the message at once and answer two seconds after Herald stopped waiting.
ANSWER_DELAY_MS = (PROVIDER_TIMEOUT_SECONDS + 2) * 1000


@pytest.fixture(scope="module")
def stack(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldStack]:
    with herald_on_its_own_broker(
        database_url=notify_api.config["DATABASE_URL"],
        log_dir=tmp_path_factory.mktemp("slow-provider"),
        extra_env={
            "PROVIDER_TIMEOUT_SECONDS": str(PROVIDER_TIMEOUT_SECONDS),
            "AMBIGUOUS_SEND_RECEIPT_WAIT_SECONDS": str(RECEIPT_WAIT_SECONDS),
        },
    ) as herald:
        yield herald


def wait_for_log(stack: HeraldStack, text: str, timeout_seconds: float) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if text in stack.logs():
            return
        time.sleep(0.2)
    pytest.fail(f"no {text!r} in the logs after {timeout_seconds} s:\n{stack.logs()[-6000:]}")


RECEIPT_DELAYS = pytest.mark.parametrize(
    "receipt_delay_ms",
    [
        pytest.param(ANSWER_DELAY_MS - 1000, id="receipt-after-herald-gave-up"),
        pytest.param(100, id="receipt-before-herald-gave-up"),
    ],
)


@RECEIPT_DELAYS
def test_an_sms_to_a_provider_slower_than_the_timeout_that_takes_it_anyway_is_sent_once(
    stack: HeraldStack,
    simulator: str,
    notify_client: NotificationsAPIClient,
    live_service: LiveService,
    receipt_delay_ms: int,
) -> None:
    slow_behaviour = {"answer_delay_ms": ANSWER_DELAY_MS, "receipt_delay_ms": [receipt_delay_ms, receipt_delay_ms]}
    requests.post(
        f"{simulator}/_simulator/config", json={"mmg": slow_behaviour, "firetext": slow_behaviour}, timeout=5
    ).raise_for_status()

    notification_id = send_sms(notify_client, live_service, "07700 900123")
    notification = wait_for_final_status(notify_client, notification_id, stack)
    # The deliver task's retry (after the wait for the receipt) has run and found nothing left to send.
    wait_for_log(stack, f"Notification {notification_id} is delivered: not ours to send", timeout_seconds=30)

    messages = simulator_messages(simulator, reference=notification_id)
    assert notification["status"] == "delivered"
    assert [message["to"] for message in messages] == [["447700900123"]]
    assert f"may have taken notification {notification_id} without answering" in stack.logs()


@RECEIPT_DELAYS
def test_an_email_to_ses_slower_than_the_timeout_that_takes_it_anyway_is_sent_once(
    stack: HeraldStack,
    simulator: str,
    notify_client: NotificationsAPIClient,
    live_service: LiveService,
    receipt_delay_ms: int,
) -> None:
    slow_behaviour = {"answer_delay_ms": ANSWER_DELAY_MS, "receipt_delay_ms": [receipt_delay_ms, receipt_delay_ms]}
    requests.post(f"{simulator}/_simulator/config", json={"ses": slow_behaviour}, timeout=5).raise_for_status()
    email_address = f"slow-{uuid.uuid4().hex[:12]}@example.com"

    notification_id = send_email(notify_client, live_service, email_address)
    notification = wait_for_final_status(notify_client, notification_id, stack)
    # Herald's wait for the receipt is over; the deliver task's retry comes 300 s after the failure for an email (too
    # long to wait for here), and a claim never takes a `delivered` notification.
    time.sleep(RECEIPT_WAIT_SECONDS + 1)

    messages = simulator_messages(simulator, provider="ses", to=email_address)
    assert notification["status"] == "delivered"
    assert [message["to"] for message in messages] == [[email_address]]
    assert f"may have taken notification {notification_id} without answering" in stack.logs()
    # The SES event, whose message id Herald never had, found the email by its header and recorded that id.
    db.session.expire_all()
    stored = dao_get_notification_by_id(notification_id)
    assert (stored.status, stored.sent_by, stored.reference) == ("delivered", "ses", messages[0]["reference"])
