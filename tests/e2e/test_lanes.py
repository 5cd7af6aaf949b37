"""The delivery lanes with real workers: while a job's rows flood the bulk lane, a text from a priority template and
an ordinary API text are each handed to the provider long before the bulk backlog drains.

The whole stack as `make run` starts it (lane workers: priority, normal and bulk, each its own process), made small
(one bulk worker of four threads) and a provider that takes 100 ms per message, so the backlog takes a while.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
import requests
from flask import Flask
from notifications_python_client import NotificationsAPIClient
from sqlalchemy import text

from app.extensions import db
from devstack.processes import WorkerSettings
from tests.auth_helpers import create_jwt_token
from tests.e2e.live_service import LiveService
from tests.e2e.stack import HeraldStack, herald_on_its_own_broker
from tests.factories import create_template

pytestmark = pytest.mark.e2e

JOB_ROWS = 600
PROVIDER_LATENCY_MS = 100
SMALL_LANES = WorkerSettings(
    processes=1,
    concurrency=4,
    prefetch_multiplier=8,
    normal_concurrency=4,
    priority_concurrency=2,
    callback_concurrency=2,
)


@pytest.fixture(scope="module")
def stack(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldStack]:
    with herald_on_its_own_broker(
        database_url=notify_api.config["DATABASE_URL"],
        log_dir=tmp_path_factory.mktemp("lanes"),
        extra_env={"SIMULATOR_LOG_LEVEL": "WARNING"},
        worker_settings=SMALL_LANES,
    ) as herald:
        yield herald


def _scalar(sql: str, **parameters: object) -> object:
    db.session.rollback()  # a fresh snapshot: the stack writes these rows
    return db.session.execute(text(sql), parameters).scalar()


def _sent_at(notification_id: str, stack: HeraldStack, timeout_seconds: float = 20.0) -> datetime:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        sent_at = _scalar("SELECT sent_at FROM notifications WHERE id = :id", id=notification_id)
        if isinstance(sent_at, datetime):
            return sent_at
        time.sleep(0.05)
    pytest.fail(f"notification {notification_id} was not handed to a provider:\n{stack.logs()[-6000:]}")


def _start_bulk_job(stack: HeraldStack, notify_api: Flask, live_service: LiveService) -> str:
    token = create_jwt_token(notify_api.config["ADMIN_CLIENT_SECRET"], notify_api.config["ADMIN_CLIENT_ID"])
    rows = [["phone number", "name", "code"]]
    rows += [[f"07400 {100_000 + index:06d}", f"Person {index}", "1234"] for index in range(JOB_ROWS)]
    response = requests.post(
        f"{stack.api_url}/service/{live_service.service.id}/job",
        json={"name": "flood.csv", "template_id": str(live_service.sms_template.id), "rows": rows},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    job_id: str = response.json()["data"]["id"]
    return job_id


def _job_rows_sent(job_id: str, *, before: datetime | None = None) -> int:
    count = _scalar(
        "SELECT count(*) FROM notifications WHERE job_id = :job_id AND sent_at IS NOT NULL "
        "AND (CAST(:before AS timestamptz) IS NULL OR sent_at <= :before)",
        job_id=job_id,
        before=before,
    )
    assert isinstance(count, int)
    return count


def test_priority_and_normal_sends_overtake_a_bulk_backlog(
    stack: HeraldStack,
    simulator: str,
    notify_api: Flask,
    notify_client: NotificationsAPIClient,
    live_service: LiveService,
) -> None:
    slow = {"latency_ms": PROVIDER_LATENCY_MS}
    requests.post(f"{simulator}/_simulator/config", json={"mmg": slow, "firetext": slow}, timeout=5).raise_for_status()
    priority_template = create_template(
        service=live_service.service, name="Security code", content="Your code is ((code))", process_type="priority"
    )
    job_id = _start_bulk_job(stack, notify_api, live_service)
    deadline = time.monotonic() + 30
    while _job_rows_sent(job_id) < 20:  # the bulk lane is busy and its queue holds the rest
        assert time.monotonic() < deadline, stack.logs()[-6000:]
        time.sleep(0.1)

    priority = notify_client.send_sms_notification(
        "07700 900123", str(priority_template.id), personalisation={"code": "4821"}
    )
    normal = notify_client.send_sms_notification(
        "07700 900456", str(live_service.sms_template.id), personalisation={"name": "Ada", "code": "1"}
    )
    priority_sent_at = _sent_at(priority["id"], stack)
    normal_sent_at = _sent_at(normal["id"], stack)

    waited = {
        name: (sent_at - _created_at(notification_id)).total_seconds()
        for name, notification_id, sent_at in (
            ("priority", priority["id"], priority_sent_at),
            ("normal", normal["id"], normal_sent_at),
        )
    }
    rows_sent_before = max(
        _job_rows_sent(job_id, before=priority_sent_at), _job_rows_sent(job_id, before=normal_sent_at)
    )
    assert waited["priority"] < 3, waited
    assert waited["normal"] < 3, waited
    # Most of the job was still waiting on the bulk lane when both were handed over.
    assert rows_sent_before < JOB_ROWS // 2, (rows_sent_before, waited)


def _created_at(notification_id: str) -> datetime:
    created_at = _scalar("SELECT created_at FROM notifications WHERE id = :id", id=uuid.UUID(notification_id))
    assert isinstance(created_at, datetime)
    return created_at
