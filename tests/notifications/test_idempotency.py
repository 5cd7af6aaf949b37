"""Idempotency keys: fingerprints, the header's rules, and what an earlier request with the same key left."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.clock import utc_now
from app.dao.idempotency_dao import IdempotencyScope, dao_update_idempotency_record_notification_id
from app.errors import BadRequestError, ConflictError
from app.extensions import db
from app.models import IdempotencyRecord, Service
from app.notifications import idempotency
from app.notifications.idempotency import (
    IdempotentRequest,
    find_previous_response,
    idempotent_request_for,
    request_fingerprint,
)
from tests.factories import create_service

REQUEST = IdempotentRequest(key="key-1", fingerprint=request_fingerprint("/v2/notifications/sms", {"a": 1}))


def store_record(
    service: Service,
    *,
    fingerprint: str = REQUEST.fingerprint,
    is_complete: bool = True,
    age: timedelta = timedelta(),
    key_type: str = "normal",
) -> None:
    db.session.add(
        IdempotencyRecord(
            service_id=service.id,
            key_type=key_type,
            idempotency_key=REQUEST.key,
            request_fingerprint=fingerprint,
            response_body={"id": "first answer"},
            notification_id=uuid.uuid4() if is_complete else None,
            created_at=utc_now() - age,
        )
    )
    db.session.commit()


def test_the_fingerprint_ignores_key_order_and_spacing() -> None:
    assert request_fingerprint("/v2/notifications/sms", {"a": 1, "b": [1, 2]}) == request_fingerprint(
        "/v2/notifications/sms", {"b": [1, 2], "a": 1}
    )


def test_the_fingerprint_depends_on_the_endpoint() -> None:
    assert request_fingerprint("/v2/notifications/sms", {}) != request_fingerprint("/v2/notifications/email", {})


def test_the_fingerprint_depends_on_the_body() -> None:
    assert request_fingerprint("/v2/notifications/sms", {"a": 1}) != request_fingerprint(
        "/v2/notifications/sms", {"a": 2}
    )


def test_without_the_header_a_request_is_not_idempotent() -> None:
    assert idempotent_request_for(None, "/v2/notifications/sms", {}) is None


def test_a_key_of_255_characters_is_accepted() -> None:
    assert idempotent_request_for("k" * 255, "/v2/notifications/sms", {}) is not None


@pytest.mark.parametrize(
    "key", ["", "k" * 256, "tab\there", "naïve"], ids=["empty", "too-long", "control", "non-ascii"]
)
def test_a_key_that_is_empty_too_long_or_not_printable_ascii_is_refused(key: str) -> None:
    with pytest.raises(BadRequestError) as refused:
        idempotent_request_for(key, "/v2/notifications/sms", {})

    assert refused.value.message == "Idempotency-Key must be 1 to 255 printable ASCII characters"


def test_an_unused_key_has_no_previous_response(notify_db_session: None) -> None:
    assert find_previous_response(create_service().id, "normal", REQUEST) is None


def test_a_completed_request_gives_its_response_again(notify_db_session: None) -> None:
    service = create_service()
    store_record(service)

    assert find_previous_response(service.id, "normal", REQUEST) == {"id": "first answer"}


def test_a_key_used_with_another_body_is_a_conflict(notify_db_session: None) -> None:
    service = create_service()
    store_record(service, fingerprint="0" * 64)

    with pytest.raises(ConflictError) as refused:
        find_previous_response(service.id, "normal", REQUEST)

    assert (refused.value.status_code, refused.value.message) == (
        409,
        "Idempotency-Key has already been used with a different request",
    )


def test_a_record_older_than_a_day_is_ignored(notify_db_session: None) -> None:
    service = create_service()
    store_record(service, age=timedelta(hours=24, seconds=1))

    assert find_previous_response(service.id, "normal", REQUEST) is None


def test_a_request_in_flight_is_waited_for(notify_db_session: None, monkeypatch: pytest.MonkeyPatch) -> None:
    service = create_service()
    store_record(service, is_complete=False)
    monkeypatch.setattr(
        idempotency.time,
        "sleep",
        lambda seconds: dao_update_idempotency_record_notification_id(
            IdempotencyScope(service.id, "normal", REQUEST.key), uuid.uuid4()
        ),
    )

    assert find_previous_response(service.id, "normal", REQUEST) == {"id": "first answer"}


def test_a_request_still_in_flight_after_the_wait_is_a_conflict(
    notify_db_session: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = create_service()
    store_record(service, is_complete=False)
    monkeypatch.setattr(idempotency, "IN_FLIGHT_WAIT_SECONDS", 0.05)

    with pytest.raises(ConflictError) as refused:
        find_previous_response(service.id, "normal", REQUEST)

    assert refused.value.message == "A request with this Idempotency-Key is still being processed; try again later"


def test_a_request_in_flight_for_over_a_minute_is_taken_as_accepted(notify_db_session: None) -> None:
    service = create_service()
    store_record(service, is_complete=False, age=timedelta(seconds=61))

    assert find_previous_response(service.id, "normal", REQUEST) == {"id": "first answer"}


@pytest.mark.parametrize(
    ("first_key_type", "later_key_type"),
    [("test", "normal"), ("team", "normal"), ("normal", "test"), ("test", "team")],
    ids=["test-then-live", "team-then-live", "live-then-test", "test-then-team"],
)
def test_a_key_used_with_one_type_of_api_key_is_unknown_to_another(
    notify_db_session: None, first_key_type: str, later_key_type: str
) -> None:
    service = create_service()
    store_record(service, key_type=first_key_type)

    assert find_previous_response(service.id, later_key_type, REQUEST) is None
    assert find_previous_response(service.id, first_key_type, REQUEST) == {"id": "first answer"}


def test_the_stored_answer_is_encrypted_at_rest(notify_db_session: None) -> None:
    service = create_service()
    db.session.add(
        IdempotencyRecord(
            service_id=service.id,
            key_type="normal",
            idempotency_key=REQUEST.key,
            request_fingerprint=REQUEST.fingerprint,
            response_body={"content": {"body": "Your code is 123456"}},
            notification_id=uuid.uuid4(),
        )
    )
    db.session.commit()

    stored = db.session.execute(text("SELECT response_body FROM idempotency_keys")).scalar_one()

    assert "123456" not in stored
    assert "body" not in stored
    assert find_previous_response(service.id, "normal", REQUEST) == {"content": {"body": "Your code is 123456"}}
