"""The whole stack as `make run` starts it — API under gunicorn, a real Celery worker on a real Redis broker, the
provider simulator speaking MMG, Firetext and SES — driven with GOV.UK Notify's official Python client."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from flask import Flask
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import HTTPError

from app.dao.service_callback_dao import dao_save_service_callback
from app.dao.services_dao import dao_set_service_permissions
from app.extensions import db
from app.models import CallbackType
from tests.e2e.live_service import LiveService
from tests.e2e.stack import HeraldStack, herald_on_its_own_broker
from tests.letters.pdf_samples import letter_pdf

pytestmark = pytest.mark.e2e

FINAL_STATUSES = {"delivered", "permanent-failure", "temporary-failure", "technical-failure"}


@pytest.fixture(scope="module")
def stack(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldStack]:
    with herald_on_its_own_broker(
        database_url=notify_api.config["DATABASE_URL"],
        log_dir=tmp_path_factory.mktemp("whole-stack"),
        # The service's callback receiver in these tests listens on the loopback interface.
        extra_env={"SIMULATOR_RECEIPT_DELAY_MS": "20,200", "LOG_JSON": "1", "CALLBACK_LOCAL_NETWORKS": "127.0.0.0/8"},
    ) as herald:
        yield herald


def wait_for_final_status(
    client: NotificationsAPIClient, notification_id: str, stack: HeraldStack, timeout_seconds: float = 20.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        notification = client.get_notification_by_id(notification_id)
        if notification["status"] in FINAL_STATUSES:
            return notification
        time.sleep(0.1)
    pytest.fail(f"notification {notification_id} is still {notification['status']!r}:\n{stack.logs()[-6000:]}")


def wait_for_letter_pdf(
    client: NotificationsAPIClient, notification_id: str, stack: HeraldStack, timeout_seconds: float = 30.0
) -> bytes:
    """Retry on PDFNotReadyError, as the clients' own integration tests do."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        try:
            return bytes(client.get_pdf_for_letter(notification_id).read())
        except HTTPError as error:
            if "PDFNotReadyError" not in str(error.message):
                raise
        time.sleep(0.5)
    pytest.fail(f"letter {notification_id} has no PDF yet:\n{stack.logs()[-6000:]}")


def wait_for(
    read: Callable[[], dict[str, Any]], ready_field: str, stack: HeraldStack, timeout_seconds: float = 30.0
) -> dict[str, Any]:
    """``read()`` again until its ``ready_field`` is true."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        answer = read()
        if answer.get(ready_field):
            return answer
        time.sleep(0.2)
    pytest.fail(f"{ready_field} never became true:\n{stack.logs()[-6000:]}")


def simulator_messages(simulator_url: str, **filters: str) -> list[dict[str, Any]]:
    response = requests.get(f"{simulator_url}/_simulator/messages", params=filters, timeout=5)
    response.raise_for_status()
    return response.json()["messages"]


def send_sms(client: NotificationsAPIClient, service: LiveService, phone_number: str) -> str:
    sent = client.send_sms_notification(
        phone_number, str(service.sms_template.id), personalisation={"name": "Ada", "code": "4821"}
    )
    return sent["id"]


def send_email(client: NotificationsAPIClient, service: LiveService, email_address: str) -> str:
    sent = client.send_email_notification(
        email_address, str(service.email_template.id), personalisation={"name": "Ada", "body": "All well."}
    )
    return sent["id"]


def test_an_sms_is_delivered_through_a_provider(
    stack: HeraldStack, simulator: str, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    notification_id = send_sms(notify_client, live_service, "07700 900123")

    notification = wait_for_final_status(notify_client, notification_id, stack)

    assert notification["status"] == "delivered"
    [message] = simulator_messages(simulator, reference=notification_id)
    assert message["provider"] in {"mmg", "firetext"}
    assert "Hello Ada, your code is 4821" in json.dumps(message)


def test_an_email_is_delivered_through_ses(
    stack: HeraldStack, simulator: str, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    notification_id = send_email(notify_client, live_service, "ada@example.com")

    notification = wait_for_final_status(notify_client, notification_id, stack)

    assert notification["status"] == "delivered"
    [message] = simulator_messages(simulator, provider="ses", to="ada@example.com")
    assert "Hi Ada" in json.dumps(message)


def test_a_letter_gets_its_pdf_from_a_worker_and_the_client_fetches_it(
    stack: HeraldStack, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    sent = notify_client.send_letter_notification(
        str(live_service.letter_template.id),
        personalisation={"address_line_1": "Ada Lovelace", "address_line_2": "1 High Street", "postcode": "SW1A 1AA"},
    )

    pdf = wait_for_letter_pdf(notify_client, sent["id"], stack)
    # The worker stores the PDF, then records the letter's sheets: the PDF can be served a moment before them.
    letter = wait_for(lambda: notify_client.get_notification_by_id(sent["id"]), "is_cost_data_ready", stack)

    assert sent["content"]["body"] == "Hello Ada Lovelace"
    assert pdf.startswith(b"%PDF")
    assert (letter["type"], letter["status"], letter["cost_details"]["billable_sheets_of_paper"]) == (
        "letter",
        "accepted",
        1,
    )


@pytest.mark.parametrize(
    ("phone_number", "final_status"),
    [("07700 900003", "temporary-failure"), ("07700 900002", "permanent-failure")],
)
def test_magic_sms_recipients_reach_their_failure_status(
    stack: HeraldStack,
    simulator: str,
    notify_client: NotificationsAPIClient,
    live_service: LiveService,
    phone_number: str,
    final_status: str,
) -> None:
    notification_id = send_sms(notify_client, live_service, phone_number)

    assert wait_for_final_status(notify_client, notification_id, stack)["status"] == final_status


@pytest.mark.parametrize(
    ("email_address", "final_status"),
    [("temp-fail@simulator.notify", "temporary-failure"), ("perm-fail@simulator.notify", "permanent-failure")],
)
def test_magic_email_recipients_reach_their_failure_status(
    stack: HeraldStack,
    simulator: str,
    notify_client: NotificationsAPIClient,
    live_service: LiveService,
    email_address: str,
    final_status: str,
) -> None:
    notification_id = send_email(notify_client, live_service, email_address)

    assert wait_for_final_status(notify_client, notification_id, stack)["status"] == final_status


def mmg_outage_answers(simulator_url: str) -> int:
    response = requests.get(f"{simulator_url}/_simulator/stats", timeout=5)
    response.raise_for_status()
    return int(response.json()["mmg"]["requests"].get("outage", 0))


def test_an_outage_at_one_sms_provider_fails_over_to_the_other(
    stack: HeraldStack, simulator: str, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    requests.post(f"{simulator}/_simulator/config", json={"mmg": {"outage": True}}, timeout=5).raise_for_status()
    outages_before = mmg_outage_answers(simulator)

    # SMS providers are chosen at random by weight: send until a send has met the outage (almost always the first
    # or second; twenty misses in a row would be a one-in-a-million draw).
    notification_ids: list[str] = []
    while len(notification_ids) < 20:
        notification_ids.append(send_sms(notify_client, live_service, f"07700 9001{len(notification_ids):02d}"))
        wait_for_final_status(notify_client, notification_ids[-1], stack)
        if mmg_outage_answers(simulator) > outages_before:
            break

    notifications = [notify_client.get_notification_by_id(each) for each in notification_ids]
    assert mmg_outage_answers(simulator) > outages_before
    assert {notification["status"] for notification in notifications} == {"delivered"}
    accepted_by = {
        message["provider"] for each in notification_ids for message in simulator_messages(simulator, reference=each)
    }
    assert accepted_by == {"firetext"}


class CallbackReceiver:
    """A service's callback endpoint: records every POST it is sent, answers 200."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                receiver.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/delivery-status"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CallbackReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_the_service_is_told_the_delivery_status_at_its_callback_url(
    stack: HeraldStack, simulator: str, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    with CallbackReceiver() as receiver:
        _, signing_secret = dao_save_service_callback(
            live_service.service.id,
            callback_type=CallbackType.DELIVERY_STATUS,
            url=receiver.url,
            bearer_token="service-callback-token-0123456789",
        )
        notification_id = send_sms(notify_client, live_service, "07700 900456")
        assert wait_for_final_status(notify_client, notification_id, stack)["status"] == "delivered"

        assert receiver.arrived.wait(timeout=15), stack.logs()[-6000:]
        [(headers, body)] = receiver.received

    payload = json.loads(body)
    assert (payload["id"], payload["status"], payload["to"]) == (notification_id, "delivered", "07700 900456")
    assert headers["Authorization"] == "Bearer service-callback-token-0123456789"
    expected_signature = hmac.new(signing_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Herald-Signature"] == f"sha256={expected_signature}"


def pdf_when_ready(client: NotificationsAPIClient, notification_id: str, stack: HeraldStack) -> bytes:
    """Poll as Notify's client integration tests do: PDFNotReadyError until the workers have made it ready."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return bytes(client.get_pdf_for_letter(notification_id).read())
        except HTTPError as error:
            if "PDFNotReadyError" not in str(error.message):
                raise
        time.sleep(0.5)
    pytest.fail(f"letter {notification_id} has no PDF after 60 s:\n{stack.logs()[-6000:]}")


def test_a_precompiled_letter_is_scanned_checked_and_served_by_the_workers(
    stack: HeraldStack, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    dao_set_service_permissions(live_service.service.id, ["sms", "email", "letter"])
    db.session.commit()
    pdf = letter_pdf(pages=2)

    sent = notify_client.send_precompiled_letter_notification("e2e-letter", io.BytesIO(pdf), postage="first")

    assert pdf_when_ready(notify_client, sent["id"], stack) == pdf
    letter = notify_client.get_notification_by_id(sent["id"])
    assert (letter["status"], letter["line_1"], letter["postcode"], letter["postage"]) == (
        "accepted",
        "Ann Other",
        "SW1A 1AA",
        "first",
    )
    assert letter["cost_details"] == {"billable_sheets_of_paper": 1, "postage": "first"}
