"""Count the wrong email addresses typed for one document (Redis), so its address check cannot be guessed at.

Only wrong answers count, within a window that starts at the first of them. When Redis cannot be reached the
check fails open with a warning: a guesser still needs the link's 256-bit key, and the recipient must not be
locked out of their file by an outage.
"""

from __future__ import annotations

import logging
import uuid

import redis

from app.clients.statsd_client import get_statsd_client

logger = logging.getLogger(__name__)

FAIL_OPEN_METRIC = "documents.confirmation-attempts.fail-open"


def _key(document_id: uuid.UUID) -> str:
    return f"document-confirmation-failures:{document_id}"


def has_attempts_left(client: redis.Redis | None, document_id: uuid.UUID, max_attempts: int) -> bool:
    if client is None:
        return True
    try:
        failures = client.get(_key(document_id))
    except redis.RedisError:
        _warn_failing_open(document_id)
        return True
    return failures is None or int(failures) < max_attempts


def record_wrong_attempt(client: redis.Redis | None, document_id: uuid.UUID, window_seconds: int) -> None:
    if client is None:
        return
    try:
        # The window starts with the first wrong answer: SET NX starts it, INCR counts (EXPIRE NX needs Redis 7).
        pipeline = client.pipeline()
        pipeline.set(_key(document_id), 0, ex=window_seconds, nx=True)
        pipeline.incr(_key(document_id))
        pipeline.execute()
    except redis.RedisError:
        _warn_failing_open(document_id)


def _warn_failing_open(document_id: uuid.UUID) -> None:
    logger.warning(
        "Redis unavailable: not counting confirmation attempts for document %s",
        document_id,
        extra={"document_id": str(document_id)},
    )
    get_statsd_client().incr(FAIL_OPEN_METRIC)
