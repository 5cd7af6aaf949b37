"""Queue a callback task, and send a callback to the service's configured URL when the task runs."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from flask import current_app
from kombu.exceptions import OperationalError as BrokerError

from app.caches import CacheName, app_cache
from app.callbacks.sender import encode_callback_body, post_callback
from app.celery import task_queue
from app.celery.queues import QueueNames, TaskNames
from app.clients.statsd_client import get_statsd_client
from app.dao.pending_callbacks_dao import dao_record_pending_callback
from app.dao.service_callback_dao import dao_find_service_callback
from app.extensions import db

logger = logging.getLogger(__name__)


SERVICE_CALLBACK_PRESENCE = CacheName[bool]("herald_service_callback_presence")


def has_service_callback(service_id: uuid.UUID, callback_type: str) -> bool:
    """Whether the service has a callback of ``callback_type``; remembered for SEND_CACHE_SECONDS, so a callback set
    or removed takes effect within that long (the task itself always reads the current URL and token)."""
    cache = app_cache(SERVICE_CALLBACK_PRESENCE, current_app.config["SEND_CACHE_SECONDS"])
    return cache.get(
        (service_id, callback_type), lambda: dao_find_service_callback(service_id, callback_type) is not None
    )


def send_callback_task(task_name: TaskNames, row_id: uuid.UUID) -> None:
    """Queue ``task_name`` with the id of the row it reports on; the task loads the row (and any recipient) itself.
    Broker errors propagate."""
    task_queue.queue_task(task_name, args=[str(row_id)], queue=QueueNames.CALLBACKS)


def enqueue_callback_task(task_name: TaskNames, row_id: uuid.UUID) -> None:
    """Queue the callback task; when the broker cannot take it, record the callback as owed for beat to queue later.

    Callers have committed the change the callback reports on, and the provider or client that caused it will not
    ask again (a repeated receipt changes nothing), so raising here would lose the callback for good.
    """
    try:
        send_callback_task(task_name, row_id)
    except BrokerError:
        logger.warning("The broker refused %s for %s; kept as a pending callback for beat to queue", task_name, row_id)
        dao_record_pending_callback(task_name, row_id)
        get_statsd_client().incr("callbacks.pending")


def enqueue_callback_if_wanted(
    service_id: uuid.UUID, callback_type: str, task_name: TaskNames, row_id: uuid.UUID
) -> bool:
    """Queue ``task_name`` for ``row_id`` (or record it as owed, see enqueue_callback_task) when the service has a
    callback of ``callback_type``; False when it has none."""
    if not has_service_callback(service_id, callback_type):
        return False
    enqueue_callback_task(task_name, row_id)
    return True


def send_service_callback(service_id: uuid.UUID, callback_type: str, payload: Mapping[str, Any]) -> int | None:
    """POST ``payload`` to the service's callback of ``callback_type``; None when the service has none (any more).

    The database session is closed before the POST: no connection is held while the service takes its time.
    Raises CallbackRetryableError or CallbackRejectedError from the sender.
    """
    callback = dao_find_service_callback(service_id, callback_type)
    if callback is None:
        logger.info(
            "Service %s has no %s callback any more; nothing sent",
            service_id,
            callback_type,
            extra={"service_id": service_id},
        )
        return None
    url, bearer_token, signing_secret = callback.url, callback.bearer_token, callback.signing_secret
    body = encode_callback_body(payload)
    db.session.remove()
    return post_callback(
        url,
        body,
        bearer_token=bearer_token,
        signing_secret=signing_secret,
        timeout_seconds=current_app.config["SERVICE_CALLBACK_TIMEOUT_SECONDS"],
        local_networks=current_app.config["CALLBACK_LOCAL_NETWORKS"],
    )
