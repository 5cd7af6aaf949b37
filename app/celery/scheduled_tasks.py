"""Periodic tasks (beat): the delivery safety nets, the SMS provider weights, the callbacks the broker refused and
the files sent by email past their retention. Each calls one domain function."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from app.callbacks import pending
from app.celery.queues import TaskNames
from app.clock import utc_now
from app.delivery import provider_priorities, safety_nets
from app.documents import expiry
from app.documents.storage import document_store
from app.statsd_decorators import statsd


@shared_task(name=TaskNames.REQUEUE_CREATED_NOTIFICATIONS)
@statsd(namespace="tasks")
def requeue_created_notifications() -> int:
    return safety_nets.requeue_created_notifications()


@shared_task(name=TaskNames.REQUEUE_STALE_SENDING_CLAIMS)
@statsd(namespace="tasks")
def requeue_stale_sending_claims() -> int:
    return safety_nets.requeue_stale_sending_claims()


@shared_task(name=TaskNames.TIMEOUT_SENDING_NOTIFICATIONS)
@statsd(namespace="tasks")
def timeout_sending_notifications() -> int:
    return safety_nets.timeout_sending_notifications()


@shared_task(name=TaskNames.TEND_PROVIDERS_BACK_TO_MIDDLE)
@statsd(namespace="tasks")
def tend_providers_back_to_middle() -> list[str]:
    return provider_priorities.tend_sms_providers_to_resting_points()


@shared_task(name=TaskNames.QUEUE_PENDING_CALLBACKS)
@statsd(namespace="tasks")
def queue_pending_callbacks() -> int:
    return pending.queue_pending_callbacks()


@shared_task(name=TaskNames.DELETE_EXPIRED_DOCUMENTS)
@statsd(namespace="tasks")
def delete_expired_documents() -> int:
    return expiry.delete_expired_documents(
        document_store(), now=utc_now(), batch_size=current_app.config["RETENTION_BATCH_SIZE"]
    )
