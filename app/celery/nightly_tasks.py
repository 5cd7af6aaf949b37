"""Nightly tasks (beat): remove personal data past each service's retention, build the billing facts. Each calls one
domain function."""

from __future__ import annotations

from celery import shared_task

from app.billing.facts import build_nightly_ft_billing
from app.celery.queues import TaskNames
from app.clock import utc_now
from app.notifications.idempotency import delete_expired_idempotency_records
from app.retention import delete_expired
from app.statsd_decorators import statsd


@shared_task(name=TaskNames.DELETE_NOTIFICATIONS_OLDER_THAN_RETENTION)
@statsd(namespace="tasks")
def delete_notifications_older_than_retention() -> int:
    removed = delete_expired.delete_notifications_older_than_retention()
    delete_expired.delete_status_events_older_than_search_window()
    return removed.moved_to_history + removed.test_notifications_deleted


@shared_task(name=TaskNames.DELETE_INBOUND_SMS_OLDER_THAN_RETENTION)
@statsd(namespace="tasks")
def delete_inbound_sms_older_than_retention() -> int:
    return delete_expired.delete_inbound_sms_older_than_retention()


@shared_task(name=TaskNames.ARCHIVE_JOBS_OLDER_THAN_RETENTION)
@statsd(namespace="tasks")
def archive_jobs_older_than_retention() -> int:
    return delete_expired.archive_jobs_older_than_retention()


@shared_task(name=TaskNames.DELETE_EXPIRED_IDEMPOTENCY_KEYS)
@statsd(namespace="tasks")
def delete_expired_idempotency_keys() -> int:
    return delete_expired_idempotency_records()


@shared_task(name=TaskNames.CREATE_NIGHTLY_BILLING)
@statsd(namespace="tasks")
def create_nightly_billing() -> int:
    """Rebuild `ft_billing` for yesterday and the day before (UK days); returns how many days were built."""
    return len(build_nightly_ft_billing(utc_now()))
