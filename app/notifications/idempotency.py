"""Idempotent sends (beyond Notify): the same `Idempotency-Key` and body within 24 hours get the first 201 again.

A key is unique per service and type of API key (live, team, test): a request made with a test key is never
replayed to a live key, which would answer 201 and send nothing. The request's fingerprint is the SHA-256 of the
endpoint and the body as canonical JSON, so key order and spacing do not matter. The same key with another body is
a 409 ConflictError. The stored answer holds the rendered content, so it is encrypted at rest.

A record is claimed in the transaction that inserts the notification, holding the answer the send will get, and is
marked complete (its notification_id set) once the delivery task is queued. A request that finds its key in flight
waits for the first to finish, up to IN_FLIGHT_WAIT_SECONDS, then gets a 409. A record in flight for longer than
STALE_IN_FLIGHT_SECONDS belongs to a process that died after storing the notification; the delivery safety net
queues that notification, so the record's answer is true and is replayed. A send that fails deletes its claim, so
the client may retry with the same key. Records older than 24 hours are ignored, taken over by a new claim, and
deleted by the nightly clear-out.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import NoResultFound

from app.clock import utc_now
from app.dao.idempotency_dao import (
    IdempotencyScope,
    dao_delete_idempotency_records_created_before,
    dao_get_idempotency_record,
)
from app.errors import BadRequestError, ConflictError

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
IDEMPOTENCY_WINDOW = timedelta(hours=24)
IN_FLIGHT_WAIT_SECONDS = 5.0
IN_FLIGHT_POLL_SECONDS = 0.02
STALE_IN_FLIGHT_SECONDS = 60.0

_VALID_KEY = re.compile(r"[\x20-\x7e]{1,255}")

INVALID_KEY_MESSAGE = "Idempotency-Key must be 1 to 255 printable ASCII characters"
REUSED_KEY_MESSAGE = "Idempotency-Key has already been used with a different request"
IN_FLIGHT_MESSAGE = "A request with this Idempotency-Key is still being processed; try again later"


@dataclass(frozen=True)
class IdempotentRequest:
    key: str
    fingerprint: str


def request_fingerprint(endpoint: str, body: Any) -> str:
    canonical_body = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{endpoint}\n{canonical_body}".encode()).hexdigest()


def idempotent_request_for(header_value: str | None, endpoint: str, body: Any) -> IdempotentRequest | None:
    """None without the header. Raises BadRequestError for a key that is empty, too long or not printable ASCII."""
    if header_value is None:
        return None
    if not _VALID_KEY.fullmatch(header_value):
        raise BadRequestError(INVALID_KEY_MESSAGE)
    return IdempotentRequest(key=header_value, fingerprint=request_fingerprint(endpoint, body))


def expired_before(now: datetime) -> datetime:
    """Records created before this are treated as absent."""
    return now - IDEMPOTENCY_WINDOW


def idempotency_scope(service_id: uuid.UUID, key_type: str, request: IdempotentRequest) -> IdempotencyScope:
    return IdempotencyScope(service_id=service_id, key_type=key_type, idempotency_key=request.key)


def find_previous_response(service_id: uuid.UUID, key_type: str, request: IdempotentRequest) -> dict[str, Any] | None:
    """The answer an earlier request with this key, from this service with this type of API key, got, or None when
    there is no live record.

    Raises ConflictError when the key was used with another body, or is still in flight after the wait.
    """
    scope = idempotency_scope(service_id, key_type, request)
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        now = utc_now()
        try:
            record = dao_get_idempotency_record(scope, created_after=expired_before(now))
        except NoResultFound:
            return None
        if record.request_fingerprint != request.fingerprint:
            raise ConflictError(REUSED_KEY_MESSAGE)
        is_stale = (now - record.created_at).total_seconds() > STALE_IN_FLIGHT_SECONDS
        if record.notification_id is not None or is_stale:
            return record.response_body
        if time.monotonic() >= deadline:
            raise ConflictError(IN_FLIGHT_MESSAGE)
        time.sleep(IN_FLIGHT_POLL_SECONDS)


def delete_expired_idempotency_records() -> int:
    """Delete the records reads already ignore (older than 24 hours); the nightly clear-out. Returns how many."""
    return dao_delete_idempotency_records_created_before(expired_before(utc_now()))
