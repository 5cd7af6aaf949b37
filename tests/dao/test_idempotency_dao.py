"""Idempotency records: claims meet in the primary key, expired records are taken over, old ones cleared out."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import NoResultFound

from app.clock import utc_now
from app.dao.idempotency_dao import (
    IdempotencyScope,
    StoredIdempotencyRecord,
    dao_create_completed_idempotency_record,
    dao_create_notification_with_idempotency_record,
    dao_delete_idempotency_records_created_before,
    dao_get_idempotency_record,
    dao_update_idempotency_record_notification_id,
)
from app.extensions import db
from app.models import IdempotencyRecord, Notification, Service
from tests.factories import create_service, create_template

DAY = timedelta(hours=24)


def new_notification(service: Service) -> Notification:
    template = create_template(service=service)
    notification = Notification(
        id=uuid.uuid4(),
        to="07700900123",
        normalised_to="447700900123",
        service_id=service.id,
        template_id=template.id,
        template_version=1,
        key_type="normal",
        notification_type="sms",
        created_at=utc_now(),
        status="created",
    )
    notification.personalisation = {"name": "Jo"}
    return notification


def scope(service: Service, key: str = "key", key_type: str = "normal") -> IdempotencyScope:
    return IdempotencyScope(service_id=service.id, key_type=key_type, idempotency_key=key)


def record(service: Service, key: str = "key", *, key_type: str = "normal", **overrides: Any) -> bool:
    now = overrides.pop("created_at", utc_now())
    arguments: dict[str, Any] = {
        "request_fingerprint": "a" * 64,
        "response_body": {"id": "first"},
        "notification_id": uuid.uuid4(),
        "created_at": now,
        "expired_before": utc_now() - DAY,
    }
    arguments.update(overrides)
    return dao_create_completed_idempotency_record(scope(service, key, key_type), **arguments)


def notification_count() -> int:
    return db.session.execute(select(func.count()).select_from(Notification)).scalar_one()


def test_a_claim_stores_the_notification_and_an_in_flight_record(notify_db_session: None) -> None:
    service = create_service()
    notification = new_notification(service)

    is_claimed = dao_create_notification_with_idempotency_record(
        notification,
        idempotency_key="key",
        request_fingerprint="a" * 64,
        response_body={"id": str(notification.id)},
        created_at=utc_now(),
        expired_before=utc_now() - DAY,
    )

    stored = dao_get_idempotency_record(scope(service), created_after=utc_now() - DAY)
    assert (is_claimed, notification_count()) == (True, 1)
    assert stored == StoredIdempotencyRecord("a" * 64, None, {"id": str(notification.id)}, stored.created_at)


def test_a_claim_on_a_live_key_stores_nothing(notify_db_session: None) -> None:
    service = create_service()
    record(service)

    is_claimed = dao_create_notification_with_idempotency_record(
        new_notification(service),
        idempotency_key="key",
        request_fingerprint="b" * 64,
        response_body={"id": "second"},
        created_at=utc_now(),
        expired_before=utc_now() - DAY,
    )

    assert (is_claimed, notification_count()) == (False, 0)


def test_an_expired_record_is_taken_over(notify_db_session: None) -> None:
    service = create_service()
    record(service, created_at=utc_now() - DAY - timedelta(minutes=1))

    is_claimed = record(service, request_fingerprint="b" * 64, response_body={"id": "second"})

    stored = dao_get_idempotency_record(scope(service), created_after=utc_now() - DAY)
    assert (is_claimed, stored.request_fingerprint, stored.response_body) == (True, "b" * 64, {"id": "second"})


def test_keys_are_unique_per_service(notify_db_session: None) -> None:
    record(create_service())

    assert record(create_service()) is True


def test_keys_are_unique_per_api_key_type(notify_db_session: None) -> None:
    service = create_service()
    record(service, key_type="test", response_body={"id": "test"})

    is_claimed = record(service, key_type="normal", response_body={"id": "live"})

    assert is_claimed is True
    assert dao_get_idempotency_record(scope(service, key_type="test"), created_after=utc_now() - DAY).response_body == {
        "id": "test"
    }
    assert dao_get_idempotency_record(scope(service), created_after=utc_now() - DAY).response_body == {"id": "live"}


def test_a_claim_is_made_in_the_notifications_key_type(notify_db_session: None) -> None:
    service = create_service()
    record(service, key_type="test")
    notification = new_notification(service)

    is_claimed = dao_create_notification_with_idempotency_record(
        notification,
        idempotency_key="key",
        request_fingerprint="a" * 64,
        response_body={"id": str(notification.id)},
        created_at=utc_now(),
        expired_before=utc_now() - DAY,
    )

    assert (is_claimed, notification_count()) == (True, 1)


def test_the_stored_answer_holds_no_plaintext(notify_db_session: None) -> None:
    service = create_service()

    record(service, response_body={"content": {"body": "Your code is 123456"}})

    stored = db.session.execute(select(IdempotencyRecord._response_body)).scalar_one()
    assert "123456" not in stored
    assert "content" not in stored


def test_an_expired_record_is_not_found(notify_db_session: None) -> None:
    service = create_service()
    record(service, created_at=utc_now() - DAY - timedelta(minutes=1))

    with pytest.raises(NoResultFound):
        dao_get_idempotency_record(scope(service), created_after=utc_now() - DAY)


def test_completing_a_record_sets_its_notification_id(notify_db_session: None) -> None:
    service = create_service()
    record(service, notification_id=None)
    notification_id = uuid.uuid4()

    dao_update_idempotency_record_notification_id(scope(service), notification_id)

    assert dao_get_idempotency_record(scope(service), created_after=utc_now() - DAY).notification_id == notification_id


def test_the_clear_out_deletes_only_records_older_than_the_cutoff(notify_db_session: None) -> None:
    service = create_service()
    record(service, "old", created_at=utc_now() - DAY - timedelta(minutes=1))
    record(service, "new")

    deleted = dao_delete_idempotency_records_created_before(utc_now() - DAY)

    remaining = db.session.execute(select(IdempotencyRecord.idempotency_key)).scalars().all()
    assert (deleted, remaining) == (1, ["new"])
