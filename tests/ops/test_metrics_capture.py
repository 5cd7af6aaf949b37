"""Every metric the alert rules and the dashboard read is one Herald really emits: the whole stack (API under gunicorn,
a Celery worker, the provider simulator) runs with statsd pointed at a UDP listener, traffic exercises each alert's
metrics, and the capture is mapped through ops/statsd_exporter/mapping.yml.

The traffic: an SMS and an email delivered with receipts, a service callback answered 503 then 200, a job whose
task was lost (found stalled and processed), both SMS providers down (errors, weight moved away: failover) and an
email whose receipt never comes, beat's time-out (technical and temporary failures) and pending-callbacks runs, and
a send while the limits' Redis is gone (fail-open).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
import requests
from flask import Flask
from sqlalchemy import update

from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.clock import utc_now
from app.dao.service_callback_dao import dao_save_service_callback
from app.dao.services_dao import dao_get_serialised_service, dao_get_service_by_id
from app.extensions import db
from app.jobs.create_job import JobRequest, JobSender, create_job
from app.models import ProviderDetails, Template
from tests.callbacks.recording_server import Answer, RecordingServer
from tests.e2e.live_service import LiveService, create_live_service
from tests.e2e.stack import HeraldStack
from tests.factories import create_template
from tests.metrics.test_statsd_end_to_end import UdpCollector, post_send, status_of, wait_until
from tests.ops.conftest import DASHBOARD_FILE, MAPPING_FILE, RULES_FILE
from tests.ops.promql_selectors import Selector, dashboard_expressions, rules, selectors
from tests.ops.statsd_mapping import Series, StatsdMapper
from tests.reliability.redis_server import RedisServer

PREFIX = "development."  # the stack runs with NOTIFY_ENVIRONMENT=development
SENDING_TIMEOUT_SECONDS = 3
PHASE_TIMEOUT_SECONDS = 20.0


@pytest.fixture
def statsd_server() -> Iterator[UdpCollector]:
    collector = UdpCollector()
    yield collector
    collector.close()


@pytest.fixture
def callback_server() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.fixture
def limits_redis() -> Iterator[RedisServer]:
    """The Redis the stack keeps its limits (and error bursts) in, apart from the broker, so the test can kill it."""
    directory = Path(tempfile.mkdtemp(prefix="herald-ops-"))  # short: a unix socket path has 108 bytes
    server = RedisServer(directory).start()
    yield server
    server.kill()
    shutil.rmtree(directory, ignore_errors=True)


def referenced_selectors() -> list[Selector]:
    expressions = [str(rule["expr"]) for rule in rules(RULES_FILE)] + dashboard_expressions(DASHBOARD_FILE)
    return [selector for expression in expressions for selector in selectors(expression)]


def unmet(selected: list[Selector], series: set[Series]) -> list[str]:
    return sorted({str(selector) for selector in selected if not any(selector.selects(one) for one in series)})


def captured_series(mapper: StatsdMapper, collector: UdpCollector) -> set[Series]:
    return mapper.map_all((f"{PREFIX}notifications.api.{name}", kind) for name, kind in collector.metrics())


@pytest.mark.e2e
def test_every_metric_the_alerts_and_dashboard_read_is_emitted_by_a_whole_stack_run(
    notify_api: Flask,
    notify_db_session: None,
    statsd_server: UdpCollector,
    callback_server: RecordingServer,
    limits_redis: RedisServer,
    tmp_path: Path,
) -> None:
    mapper = StatsdMapper.from_file(MAPPING_FILE)
    wanted = referenced_selectors()
    service = arrange_service(callback_server)
    stack = HeraldStack(
        database_url=notify_api.config["DATABASE_URL"],
        redis_url=limits_redis.url,
        log_dir=tmp_path,
        extra_env={
            "CELERY_BROKER_URL": notify_api.config["CELERY_BROKER_URL"],
            "GUNICORN_WORKERS": "1",  # one is plenty for this traffic, and starts sooner
            "STATSD_ENABLED": "1",
            "STATSD_HOST": "127.0.0.1",
            "STATSD_PORT": str(statsd_server.port),
            "SMS_PROVIDER_ERROR_THRESHOLD": "2",
            "SENDING_TIMEOUT_SECONDS": str(SENDING_TIMEOUT_SECONDS),
            "JOB_STALLED_AFTER_MINUTES": "0.01",
            "CALLBACK_LOCAL_NETWORKS": "127.0.0.0/8",
        },
    )
    try:
        stack.start()
        drive_traffic(stack, service, limits_redis)
        wait_until(lambda: unmet(wanted, captured_series(mapper, statsd_server)) == [], PHASE_TIMEOUT_SECONDS)
    finally:
        stack.stop()
    captured = statsd_server.metrics()
    series = captured_series(mapper, statsd_server)

    assert unmet(wanted, series) == [], stack.logs()[-4000:]
    assert sorted(name for name, kind in captured if not mapper.map(f"{PREFIX}notifications.api.{name}", kind)) == []


def arrange_service(callback_server: RecordingServer) -> LiveService:
    """The live service with a delivery-status callback (first answered 503: retried), a job whose process_job task
    was lost, and provider weights last changed an hour ago (a burst may move them at once)."""
    service = create_live_service()
    dao_save_service_callback(
        service.service.id,
        callback_type="delivery_status",
        url=f"{callback_server.url}/callback",
        bearer_token="ops-capture-token",
    )
    callback_server.script([Answer(503)])
    db.session.execute(update(ProviderDetails).values(updated_at=utc_now() - timedelta(hours=1)))
    db.session.commit()
    rows = [["phone number", "name", "code"], ["07700 900789", "Ann", "111"]]
    request = JobRequest(name="ops.csv", template_id=service.sms_template.id, rows=rows)
    with patch("app.celery.task_queue.queue_task"):  # the task is lost: only beat's stalled-job run finds the job
        create_job(request, JobSender(service=dao_get_serialised_service(service.service.id)))
    return service


def drive_traffic(stack: HeraldStack, service: LiveService, limits_redis: RedisServer) -> None:
    sms = send_sms(stack, service, "07700 900456")
    email = send_email(stack, service, "someone@example.com")
    priority_sms = send_sms(stack, service, "07700 900457", template=priority_copy(service.sms_template))
    priority_email = send_email(stack, service, "code@example.com", template=priority_copy(service.email_template))
    queue_periodic_task(TaskNames.RESUME_STALLED_JOBS)
    sent = (sms, email, priority_sms, priority_email)
    wait_for(lambda: all(status_of(stack, service, one) == "delivered" for one in sent), "delivered", stack)

    configure_simulator(stack, {"mmg": {"outage": True}, "firetext": {"outage": True}, "ses": {"no_receipt": True}})
    stuck = [send_sms(stack, service, number) for number in ("07700 900501", "07700 900502")]
    unanswered = send_email(stack, service, "no-receipt@example.com")
    all_created_by = time.monotonic()
    wait_for(lambda: status_of(stack, service, unanswered) == "sending", "email sending", stack)
    wait_for(lambda: "SMS weight away from" in stack.logs(), "failover", stack)
    time.sleep(max(0.0, all_created_by + SENDING_TIMEOUT_SECONDS + 0.5 - time.monotonic()))  # all three time out
    queue_periodic_task(TaskNames.TIMEOUT_SENDING_NOTIFICATIONS)
    queue_periodic_task(TaskNames.QUEUE_PENDING_CALLBACKS)
    wait_for(lambda: status_of(stack, service, stuck[0]) == "technical-failure", "technical-failure", stack)

    configure_simulator(stack, None)
    limits_redis.kill()
    send_sms(stack, service, "07700 900333")


def priority_copy(template: Template) -> Template:
    """A priority template like ``template``: its sends take the priority lane."""
    return create_template(
        service=dao_get_service_by_id(template.service_id),
        template_type=template.template_type,
        content=template.content,
        subject=template.subject,
        process_type="priority",
    )


def send_sms(stack: HeraldStack, service: LiveService, number: str, *, template: Template | None = None) -> str:
    body = {
        "phone_number": number,
        "template_id": str((template or service.sms_template).id),
        "personalisation": {"name": "A", "code": "1"},
    }
    return post_send(stack, service, "sms", body)


def send_email(stack: HeraldStack, service: LiveService, address: str, *, template: Template | None = None) -> str:
    body = {
        "email_address": address,
        "template_id": str((template or service.email_template).id),
        "personalisation": {"name": "A", "body": "B"},
    }
    return post_send(stack, service, "email", body)


def queue_periodic_task(name: TaskNames) -> None:
    """Queue one of beat's tasks now, as beat would (the stack runs no beat: its schedule is minutes apart)."""
    task_queue.queue_task(name, args=[], queue=QueueNames.PERIODIC)


def configure_simulator(stack: HeraldStack, behaviour: dict[str, object] | None) -> None:
    url = f"{stack.simulator_url}/_simulator/config"
    response = requests.delete(url, timeout=5) if behaviour is None else requests.post(url, json=behaviour, timeout=5)
    response.raise_for_status()


def wait_for(condition: Callable[[], bool], what: str, stack: HeraldStack) -> None:
    assert wait_until(condition, PHASE_TIMEOUT_SECONDS), (
        f"no {what} in {PHASE_TIMEOUT_SECONDS} s:\n{stack.logs()[-6000:]}"
    )
