"""Letters through the whole stack as `make run` starts it (API, a Celery worker, beat, the simulator's print API):
a templated letter sent with GOV.UK Notify's Python client is rendered, printed and despatched, so v2 shows it
`received`; one the printer rejects ends `technical-failure`.

The devstack wiring runs the print run every few seconds (LETTERS_PRINT_RUN_INTERVAL_SECONDS, development only)
instead of once a day after the 17:30 London deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from notifications_python_client import NotificationsAPIClient

from app.models import Template
from tests.e2e.live_service import client_key
from tests.e2e.stack import HeraldStack, herald_on_its_own_broker
from tests.factories import create_api_key, create_letter_contact, create_service, create_template

pytestmark = pytest.mark.e2e


class HeraldStackWithBeat(HeraldStack):
    def start(self) -> HeraldStackWithBeat:
        super().start()
        self.group.start(self.beat())
        return self


@pytest.fixture(scope="module")
def stack(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldStack]:
    log_dir = tmp_path_factory.mktemp("letters-stack")
    with herald_on_its_own_broker(
        database_url=notify_api.config["DATABASE_URL"],
        log_dir=log_dir,
        extra_env={
            "SIMULATOR_RECEIPT_DELAY_MS": "20,200",
            "LETTERS_PRINT_RUN_INTERVAL_SECONDS": "1",
            "LETTERS_PDF_DIRECTORY": str(log_dir / "letters"),
        },
        stack_class=HeraldStackWithBeat,
    ) as herald:
        yield herald


@pytest.fixture
def letter_client(stack: HeraldStack, notify_db_session: None) -> Iterator[tuple[NotificationsAPIClient, Template]]:
    service = create_service(permissions=["letter"])
    contact = create_letter_contact(service=service, contact_block="Herald\nLondon")
    template = create_template(
        service=service,
        template_type="letter",
        subject="Your licence",
        content="Dear ((address_line_1)), your licence is ready.",
        service_letter_contact_id=contact.id,
    )
    client = NotificationsAPIClient(client_key(create_api_key(service=service)), base_url=stack.api_url)
    yield client, template
    client.request_session.close()


def _wait_for(
    client: NotificationsAPIClient, notification_id: str, statuses: set[str], stack: HeraldStack
) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notification = client.get_notification_by_id(notification_id)
        if notification["status"] in statuses:
            return notification
        time.sleep(0.2)
    pytest.fail(f"letter {notification_id} is still {notification['status']!r}:\n{stack.logs()[-6000:]}")


def test_a_templated_letter_is_printed_and_received(
    letter_client: tuple[NotificationsAPIClient, Template], stack: HeraldStack
) -> None:
    client, template = letter_client
    address = {"address_line_1": "Ann Other", "address_line_2": "1 High Street", "postcode": "SW1A 1AA"}
    rejected = {**address, "address_line_1": "Rejected Letter"}

    sent = client.send_letter_notification(str(template.id), address, reference="e2e-letter")
    refused = client.send_letter_notification(str(template.id), rejected)

    assert _wait_for(client, sent["id"], {"received", "technical-failure"}, stack)["status"] == "received"
    assert _wait_for(client, refused["id"], {"received", "technical-failure"}, stack)["status"] == "technical-failure"


def test_a_letter_job_s_rows_are_rendered_printed_and_received(
    letter_client: tuple[NotificationsAPIClient, Template], stack: HeraldStack
) -> None:
    client, template = letter_client
    csv = (
        "address line 1,address line 2,postcode\r\nAnn Other,1 High Street,SW1A 1AA\r\nBob Other,2 Low Road,M1 1AE\r\n"
    )

    job = client.post(
        "/v2/notifications/bulk", data={"name": "letters.csv", "template_id": str(template.id), "csv": csv}
    )

    assert job["data"]["notification_count"] == 2
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        letters = client.get_all_notifications(template_type="letter", include_jobs=True)["notifications"]
        if len(letters) == 2 and all(letter["status"] == "received" for letter in letters):
            break
        time.sleep(0.3)
    assert sorted((letter["line_1"], letter["postage"], letter["status"]) for letter in letters) == [
        ("Ann Other", "second", "received"),
        ("Bob Other", "second", "received"),
    ], stack.logs()[-6000:]
