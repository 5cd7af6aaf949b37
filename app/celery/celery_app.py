"""Build the Celery app from Flask config: broker by URL, JSON only, late acks, one queue per purpose."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask
from kombu.entity import Exchange, Queue

from app.celery.database_errors import is_database_unavailable, retry_after_database_error
from app.celery.queues import QueueNames, TaskNames, all_queues
from app.celery.task_metrics import connect_task_metrics
from app.celery.task_queue import install_celery

TASK_EXCHANGE = Exchange("herald", type="direct")

TASK_MODULES = (
    "app.celery.process_receipt_tasks",
    "app.celery.service_callback_tasks",
    "app.celery.provider_tasks",
    "app.celery.scheduled_tasks",
    "app.celery.job_tasks",
    "app.celery.nightly_tasks",
    "app.celery.letters_pdf_tasks",
    "app.celery.precompiled_letter_tasks",
    "app.celery.letter_print_tasks",
)


def _broker_transport_options(config: dict[str, Any]) -> dict[str, Any]:
    """Per-transport options. Redis and SQS hand an unacknowledged message to another worker after the visibility
    timeout, so it must outlast the longest countdown a worker holds a message for (300 s) plus its run time."""
    broker_url = config["CELERY_BROKER_URL"] or ""
    if broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        # RabbitMQ redelivers when a consumer's connection drops; publisher confirms make send_task return only once
        # the broker has the message, so the API never answers 201 for a task the broker did not take.
        return {"confirm_publish": True}
    visibility_timeout = config["CELERY_VISIBILITY_TIMEOUT_SECONDS"]
    options: dict[str, Any] = {"visibility_timeout": visibility_timeout}
    if broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        # Look for messages of dead workers about ten times per visibility timeout (at most every 10 s), rather than
        # kombu's default of every 100 s.
        options["unacked_restore_interval"] = max(1, min(10, visibility_timeout // 10))
        options["unacked_restore_throttle"] = 1
    if broker_url.startswith("sqs://"):
        options["region"] = config["AWS_REGION"]
        options["wait_time_seconds"] = 10
        options["polling_interval"] = 1
        if config["CELERY_QUEUE_PREFIX"]:
            options["queue_name_prefix"] = config["CELERY_QUEUE_PREFIX"]
    return options


def beat_schedule(
    safety_net_interval_seconds: float = 15.0,
    bulk_feed_run_seconds: float = 10.0,
    print_run_interval_seconds: float = 0,
) -> dict[str, dict[str, Any]]:
    """The periodic tasks: delivery safety nets (every ``safety_net_interval_seconds``), SMS provider weights,
    refused callbacks, jobs and their bulk-lane feeder (a run every ``bulk_feed_run_seconds``, should the runs that
    queue each other be lost), the letters' print run, the nightly retention clear-out and billing facts.

    The print run starts at 16:50 and 17:50 UTC and goes ahead only at 17:50 London time (letters.md §5.4); with
    ``print_run_interval_seconds`` (development only) it runs that often instead."""
    periodic = {"queue": QueueNames.PERIODIC.value}
    return {
        "check-time-to-collate-letters": {
            "task": TaskNames.CHECK_TIME_TO_COLLATE_LETTERS.value,
            "schedule": print_run_interval_seconds or crontab(hour="16,17", minute="50"),
            "options": periodic,
        },
        "requeue-created-notifications": {
            "task": TaskNames.REQUEUE_CREATED_NOTIFICATIONS.value,
            "schedule": safety_net_interval_seconds,
            "options": periodic,
        },
        "requeue-stale-sending-claims": {
            "task": TaskNames.REQUEUE_STALE_SENDING_CLAIMS.value,
            "schedule": safety_net_interval_seconds,
            "options": periodic,
        },
        "timeout-sending-notifications": {
            "task": TaskNames.TIMEOUT_SENDING_NOTIFICATIONS.value,
            "schedule": crontab(minute="5"),
            "options": periodic,
        },
        "queue-pending-callbacks": {
            "task": TaskNames.QUEUE_PENDING_CALLBACKS.value,
            "schedule": 60.0,
            "options": periodic,
        },
        "tend-providers-back-to-middle": {
            "task": TaskNames.TEND_PROVIDERS_BACK_TO_MIDDLE.value,
            "schedule": crontab(minute="*/5"),
            "options": periodic,
        },
        "rescan-pending-precompiled-letters": {
            "task": TaskNames.RESCAN_PENDING_PRECOMPILED_LETTERS.value,
            "schedule": crontab(minute="*/10"),
            "options": periodic,
        },
        "run-scheduled-jobs": {
            "task": TaskNames.RUN_SCHEDULED_JOBS.value,
            "schedule": 60.0,
            "options": periodic,
        },
        "feed-bulk-lanes": {
            "task": TaskNames.FEED_BULK_LANES.value,
            "schedule": bulk_feed_run_seconds,
            "options": periodic,
        },
        "resume-stalled-jobs": {
            "task": TaskNames.RESUME_STALLED_JOBS.value,
            "schedule": 60.0,
            "options": periodic,
        },
        "delete-inbound-sms-older-than-retention": {
            "task": TaskNames.DELETE_INBOUND_SMS_OLDER_THAN_RETENTION.value,
            "schedule": crontab(hour="1", minute="40"),
            "options": periodic,
        },
        "delete-notifications-older-than-retention": {
            "task": TaskNames.DELETE_NOTIFICATIONS_OLDER_THAN_RETENTION.value,
            "schedule": crontab(hour="3", minute="0"),
            "options": periodic,
        },
        "delete-expired-idempotency-keys": {
            "task": TaskNames.DELETE_EXPIRED_IDEMPOTENCY_KEYS.value,
            "schedule": crontab(hour="2", minute="20"),
            "options": periodic,
        },
        # 00:15 UTC is 00:15 or 01:15 in London: yesterday (UK) has ended either way.
        "create-nightly-billing": {
            "task": TaskNames.CREATE_NIGHTLY_BILLING.value,
            "schedule": crontab(hour="0", minute="15"),
            "options": periodic,
        },
        "delete-expired-documents": {
            "task": TaskNames.DELETE_EXPIRED_DOCUMENTS.value,
            "schedule": crontab(minute="25"),
            "options": periodic,
        },
        "archive-jobs-older-than-retention": {
            "task": TaskNames.ARCHIVE_JOBS_OLDER_THAN_RETENTION.value,
            "schedule": crontab(hour="4", minute="0"),
            "options": periodic,
        },
    }


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    return {
        "broker_url": config["CELERY_BROKER_URL"],
        "broker_transport_options": _broker_transport_options(config),
        "broker_connection_retry_on_startup": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_backend": None,
        "task_ignore_result": True,
        "timezone": "UTC",
        "enable_utc": True,
        # A task is acknowledged only once it has finished, and handed back if its worker dies; every task that
        # runs under these settings is idempotent (it claims its work atomically first).
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": config.get("CELERY_PREFETCH_MULTIPLIER", 4),
        # One direct exchange; each queue is bound by its own name, so a message reaches exactly one queue.
        "task_default_queue": QueueNames.PERIODIC.value,
        "task_default_exchange": TASK_EXCHANGE.name,
        "task_default_routing_key": QueueNames.PERIODIC.value,
        "task_queues": [Queue(name, TASK_EXCHANGE, routing_key=name) for name in all_queues()],
        "task_create_missing_queues": True,
        "worker_hijack_root_logger": False,
        # Task modules a worker imports at start-up (the API enqueues by name and needs none of them).
        "imports": TASK_MODULES,
        "broker_pool_limit": 10,
        "beat_schedule": beat_schedule(
            config["DELIVERY_SAFETY_NET_INTERVAL_SECONDS"],
            config["BULK_FEED_RUN_SECONDS"],
            config.get("LETTERS_PRINT_RUN_INTERVAL_SECONDS", 0),
        ),
        # Let tasks running when the broker connection drops finish: the thread pool cannot cancel them anyway, and
        # asking it to broke the reconnect (seen with Celery 5.7 on Redis). Their unacknowledged messages come back
        # after the visibility timeout and find their work already claimed and done.
        "worker_cancel_long_running_tasks_on_connection_loss": False,
    }


def make_celery(app: Flask) -> Celery:
    """Create the Celery app; every task runs inside a Flask app context."""

    class FlaskTask(Task):
        """Runs each task in its own app context, so its session is removed (rolled back, connection returned) when
        the task ends, whatever happened: a session an error broke never reaches the next task on the thread. A task
        the database failed under (a restart, a dropped connection) is retried soon rather than lost."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                try:
                    return super().__call__(*args, **kwargs)
                except Exception as error:
                    if not is_database_unavailable(error):
                        raise
                    raise retry_after_database_error(self, error) from error

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(celery_settings(app.config))
    celery.set_default()
    connect_task_metrics()
    install_celery(app.extensions, celery)
    return celery
