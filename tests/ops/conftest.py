"""Helpers for the ops tests: the ops files and the promtool they are checked with; for the operator console, sign-in
links, a signed-in test client, an hour and a day of traffic."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from app.clock import utc_now
from app.dao.jobs_dao import dao_create_job
from app.extensions import db
from app.models import Job, NotificationHistory, Template
from app.ops.sign_in import create_sign_in_link
from tests.factories import create_notification, create_service, create_template

OPS = Path(__file__).resolve().parents[2] / "ops"
MAPPING_FILE = OPS / "statsd_exporter" / "mapping.yml"
RULES_FILE = OPS / "prometheus" / "rules" / "herald.rules.yml"
RULE_TESTS_DIRECTORY = OPS / "prometheus" / "tests"
DASHBOARD_FILE = OPS / "grafana" / "herald-operations.json"
RUNBOOK_FILE = OPS / "RUNBOOK.md"


@pytest.fixture
def promtool() -> str:
    """promtool's path; the test is skipped, saying why, where it is not installed."""
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus); the rules were not checked")
    return path


def run_promtool(promtool: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool, *map(str, arguments)], capture_output=True, text=True, timeout=60, check=False)


LINK_TOKEN = re.compile(r"/ops/sign-in/([A-Za-z0-9_-]+)$")


def new_link_token(*, valid_seconds: int = 300) -> str:
    link = create_sign_in_link(base_url="http://herald.test", valid_seconds=valid_seconds, created_by="tests")
    found = LINK_TOKEN.search(link)
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient) -> None:
    response = client.post("/ops/sign-in", data={"link_token": new_link_token()})
    assert response.status_code == 303


@pytest.fixture
def signed_in_client(notify_api: Flask, notify_db_session: None) -> FlaskClient:
    client = notify_api.test_client()
    sign_in(client)
    return client


def _priority(template: Template) -> Template:
    db.session.execute(
        text("UPDATE templates_history SET process_type = 'priority' WHERE id = :id"), {"id": template.id}
    )
    db.session.commit()
    return template


def _delivered(template: Template, *, created_at: datetime, seconds_to_send: float, sent_by: str = "mmg") -> None:
    create_notification(
        template=template,
        status="delivered",
        created_at=created_at,
        sent_at=created_at + timedelta(seconds=seconds_to_send),
        sent_by=sent_by,
    )


@pytest.fixture
def traffic(notify_db_session: None) -> None:
    """In the last hour: SMS normal 3 delivered (1, 2 and 3 s to send), 1 technical failure, 1 waiting; SMS priority
    1 delivered by Firetext; email bulk 1 permanent failure; a test-key SMS. Two hours ago: 1 SMS delivered, and one
    already moved to the history table."""
    service = create_service()
    sms = create_template(service=service)
    priority_sms = _priority(create_template(service=service))
    email = create_template(service=service, template_type="email")
    now = utc_now()
    for seconds in (1, 2, 3):
        _delivered(sms, created_at=now - timedelta(minutes=10), seconds_to_send=seconds)
    create_notification(template=sms, status="technical-failure", created_at=now - timedelta(minutes=5))
    create_notification(template=sms, status="created", created_at=now - timedelta(minutes=1))
    _delivered(priority_sms, created_at=now - timedelta(minutes=2), seconds_to_send=0.5, sent_by="firetext")
    job = dao_create_job(
        Job(
            original_file_name="march.csv",
            service_id=service.id,
            template_id=email.id,
            template_version=email.version,
            notification_count=40,
            job_status="in progress",
            _contents="",
            processing_started=now - timedelta(minutes=3),
        )
    )
    create_notification(
        template=email, status="permanent-failure", created_at=now - timedelta(minutes=3), job_id=job.id,
        job_row_number=0, sent_at=now - timedelta(minutes=3) + timedelta(seconds=4), sent_by="ses",
    )  # fmt: skip
    create_notification(template=sms, status="delivered", key_type="test", created_at=now - timedelta(minutes=4))
    _delivered(sms, created_at=now - timedelta(hours=2), seconds_to_send=60)
    old = create_notification(template=sms, status="delivered", created_at=now - timedelta(hours=3))
    kept = {column.key for column in NotificationHistory.__table__.columns} - {"notification_status"}
    db.session.add(NotificationHistory(**{column: getattr(old, column) for column in kept}, status="delivered"))
    db.session.execute(text("DELETE FROM notifications WHERE id = :id"), {"id": old.id})
    db.session.commit()
