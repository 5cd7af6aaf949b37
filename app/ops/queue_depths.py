"""How many messages wait in each of Herald's queues, asked of the broker; None when the broker does not answer."""

from __future__ import annotations

import logging

import redis
from kombu.exceptions import OperationalError as BrokerError

from app.celery import task_queue
from app.celery.queues import all_queues

logger = logging.getLogger(__name__)

BROKER_CONNECT_TIMEOUT_SECONDS = 2


def list_queue_depths() -> dict[str, int] | None:
    """Messages waiting for a worker in every queue (those a worker has taken, or holds for a countdown, are not
    counted), by queue name; None when the broker is down.

    Declares each queue as the workers do, which answers with its count on every transport.
    """
    celery = task_queue.celery_app()
    depths: dict[str, int] = {}
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_CONNECT_TIMEOUT_SECONDS)
            with connection.channel() as channel:
                for name in all_queues():
                    declared = celery.amqp.queues[name].bind(channel).queue_declare()
                    depths[name] = int(declared.message_count)
    except (BrokerError, redis.RedisError, ConnectionError, OSError) as error:
        logger.warning("The broker did not answer for queue depths: %s", type(error).__name__)
        return None
    return depths
