"""The whole stack with statsd on: a real UDP listener receives what the API and the worker send for one SMS and one
email, from the POST to the provider's receipt; and no log line of the run carries the recipients or personalisation.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from tests.auth_helpers import service_auth_header
from tests.e2e.live_service import LiveService, create_live_service
from tests.e2e.stack import HeraldStack

pytestmark = pytest.mark.e2e

PREFIX = "development.notifications.api."  # HeraldStack runs with NOTIFY_ENVIRONMENT=development
PHONE_NUMBER = "07700 900456"
PHONE_DIGITS = "7700900456"  # in every form the number may take: 07700900456, 447700900456, +44 7700 900456
EMAIL_ADDRESS = "marguerite.quillfeather@example.com"
SMS_PERSONALISATION = {"name": "Marguerite", "code": "918273"}
EMAIL_PERSONALISATION = {"name": "Marguerite", "body": "Your zucchini allotment is ready"}
DELIVERY_TIMEOUT_SECONDS = 40.0


class UdpCollector:
    """A statsd server stand-in: a socket on a free 127.0.0.1 port and a thread keeping every datagram."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        while not self._stopping.is_set():
            try:
                datagram = self._socket.recv(65535).decode()
            except TimeoutError:
                continue
            with self._lock:
                self._lines.extend(datagram.splitlines())  # a client may batch several metrics in one datagram

    def metrics(self) -> set[tuple[str, str]]:
        """(name without the prefix, type) of everything received so far."""
        with self._lock:
            lines = list(self._lines)
        found = set()
        for line in lines:
            match = re.fullmatch(r"(.+):[+-]?[\d.]+\|(c|ms|g)", line)
            assert match, line
            name = match.group(1)
            assert name.startswith(PREFIX), line
            found.add((name.removeprefix(PREFIX), match.group(2)))
        return found

    def close(self) -> None:
        self._stopping.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def statsd_server() -> Iterator[UdpCollector]:
    collector = UdpCollector()
    yield collector
    collector.close()


@pytest.fixture
def live_service(notify_db_session: None) -> LiveService:
    return create_live_service()


def wait_until(condition: Callable[[], bool], timeout_seconds: float) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def post_send(stack: HeraldStack, service: LiveService, notification_type: str, body: dict[str, object]) -> str:
    response = requests.post(
        f"{stack.api_url}/v2/notifications/{notification_type}",
        json=body,
        headers=dict([service_auth_header(service.api_key)]),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def status_of(stack: HeraldStack, service: LiveService, notification_id: str) -> str:
    response = requests.get(
        f"{stack.api_url}/v2/notifications/{notification_id}",
        headers=dict([service_auth_header(service.api_key)]),
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["status"])


def send_both_and_wait_for_delivery(stack: HeraldStack, service: LiveService) -> dict[str, str]:
    """Send an SMS and an email; returns each one's id once both are delivered (the simulator sends the receipts)."""
    sent = {
        "sms": post_send(
            stack,
            service,
            "sms",
            {
                "phone_number": PHONE_NUMBER,
                "template_id": str(service.sms_template.id),
                "personalisation": SMS_PERSONALISATION,
            },
        ),
        "email": post_send(
            stack,
            service,
            "email",
            {
                "email_address": EMAIL_ADDRESS,
                "template_id": str(service.email_template.id),
                "personalisation": EMAIL_PERSONALISATION,
            },
        ),
    }
    is_delivered = wait_until(
        lambda: all(status_of(stack, service, notification_id) == "delivered" for notification_id in sent.values()),
        DELIVERY_TIMEOUT_SECONDS,
    )
    assert is_delivered, f"not delivered in {DELIVERY_TIMEOUT_SECONDS} s:\n{stack.logs()[-6000:]}"
    return sent


def run_stack(notify_api: Flask, log_dir: Path, statsd_port: int) -> HeraldStack:
    return HeraldStack(
        database_url=notify_api.config["DATABASE_URL"],
        redis_url=notify_api.config["REDIS_URL"],
        log_dir=log_dir,
        extra_env={
            "STATSD_ENABLED": "1",
            "STATSD_HOST": "127.0.0.1",
            "STATSD_PORT": str(statsd_port),
            "LOG_JSON": "1",
        },
    )


EXPECTED_EVERY_RUN = {
    # API: the request itself, and the accepted send per type
    ("POST.v2_notifications.post_notification.201", "c"),
    ("POST.v2_notifications.post_notification.201", "ms"),
    ("GET.v2_notifications.get_notification_by_id.200", "c"),
    ("GET.v2_notifications.get_notification_by_id.200", "ms"),
    ("v2.sms.accepted", "c"),
    ("v2.email.accepted", "c"),
    # Worker: each task counted, timed, and its wait on the queue timed (a send alone in its group is a single task)
    ("tasks.deliver_sms", "c"),
    ("tasks.deliver_sms", "ms"),
    ("tasks.deliver_sms.queue-time", "ms"),
    ("tasks.deliver_email", "c"),
    ("tasks.deliver_email", "ms"),
    ("tasks.deliver_email.queue-time", "ms"),
    ("queues.send-sms.queue-time", "ms"),
    ("queues.send-email.queue-time", "ms"),
    # Receipts: applied in the request (a receipt is queued for a task only when it cannot be applied yet)
    ("POST.receipts_ses.receive_ses_sns_message.200", "c"),
    ("POST.receipts_ses.receive_ses_sns_message.200", "ms"),
    # DAO: the claim and the receipt's guarded status update
    ("dao.dao_update_notification_status_by_receipt", "c"),
    ("dao.dao_update_notification_status_by_receipt", "ms"),
    ("dao.dao_record_notification_sent", "c"),
    ("dao.dao_record_notification_sent", "ms"),
    # Providers: created -> handed over, and SES's own call
    ("sms.total-time", "ms"),
    ("email.total-time", "ms"),
    ("lanes.normal.sms.created-to-sent", "ms"),
    ("lanes.normal.email.created-to-sent", "ms"),
    ("clients.ses.success", "c"),
    ("clients.ses.request-time", "ms"),
    ("callback.ses.delivered", "c"),
    ("callback.ses.elapsed-time", "ms"),
}


def test_a_delivered_sms_and_email_emit_every_metric_and_log_no_personal_data(
    notify_api: Flask, live_service: LiveService, statsd_server: UdpCollector, tmp_path: Path
):
    stack = run_stack(notify_api, tmp_path, statsd_server.port)
    try:
        stack.start()
        sent = send_both_and_wait_for_delivery(stack, live_service)
        # Receipt metrics follow the status update the poll saw; give the last datagrams a moment to land.
        wait_until(lambda: expected_metrics(statsd_server.metrics()) <= statsd_server.metrics(), 10)
    finally:
        stack.stop()
    metrics = statsd_server.metrics()
    logs = stack.logs()

    assert sorted(expected_metrics(metrics) - metrics) == []
    assert {name for name, kind in metrics if name.startswith("dao.")} >= {"dao.dao_get_notification_by_id"}
    assert personal_data_in(logs) == []
    email_lines = [line for line in json_lines(logs) if line.get("notification_id") == sent["email"]]
    assert {(line["task_name"], line["provider"]) for line in email_lines if "task_name" in line} == {
        ("deliver_email", "ses")
    }
    # The SES receipt was applied by the API, in the request SNS made: its line carries the request's id.
    assert [line["request_id"] for line in email_lines if line.get("notification_status") == "delivered"] != []


def json_lines(logs: str) -> list[dict[str, Any]]:
    """The JSON log lines of every process (the worker's start-up banner is plain text)."""
    return [json.loads(line) for line in logs.splitlines() if line.startswith("{")]


def expected_metrics(metrics: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every metric of the run, with the SMS provider the weights chose (MMG or Firetext) read from its counter."""
    providers = {name.split(".")[1] for name, _ in metrics if re.fullmatch(r"clients\.(mmg|firetext)\.success", name)}
    provider = providers.pop() if len(providers) == 1 else "mmg-or-firetext"
    return EXPECTED_EVERY_RUN | sms_metrics(provider)


def personal_data_in(logs: str) -> list[str]:
    secrets = [PHONE_DIGITS, EMAIL_ADDRESS, EMAIL_ADDRESS.split("@")[0]]
    secrets += [*SMS_PERSONALISATION.values(), *EMAIL_PERSONALISATION.values()]
    return [secret for secret in secrets if secret.lower() in logs.lower()]


def sms_metrics(provider: str) -> set[tuple[str, str]]:
    return {
        (f"clients.{provider}.success", "c"),
        (f"clients.{provider}.request-time", "ms"),
        (f"POST.receipts_sms.receive_{provider}_receipt.200", "c"),
        (f"POST.receipts_sms.receive_{provider}_receipt.200", "ms"),
        (f"callback.{provider}.delivered", "c"),
        (f"callback.{provider}.elapsed-time", "ms"),
    }
