"""Storing an accepted notification and queueing its delivery; a failed enqueue leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from unittest.mock import MagicMock

import pytest
from flask import Flask
from sqlalchemy import select

from app.clock import utc_now
from app.dao.notifications_dao import dao_get_notification_by_id
from app.extensions import db
from app.models import IdempotencyRecord, Notification
from app.notifications.idempotency import IdempotentRequest
from app.notifications.prepare_notification import PreparedNotification
from app.notifications.process_notifications import (
    IdempotencyClaim,
    IdempotencyKeyTakenError,
    enqueue_notification,
    persist_and_enqueue_notification,
    persist_notification,
)
from tests.v2.notifications.send_api import queued_tasks

MakePrepared = Callable[..., PreparedNotification]


def claim_for(key: str = "key-1", fingerprint: str = "f" * 64) -> IdempotencyClaim:
    return IdempotencyClaim(
        request=IdempotentRequest(key=key, fingerprint=fingerprint),
        response_body={"id": "answer"},
        expired_before=utc_now() - timedelta(hours=24),
    )


@pytest.fixture
def broken_broker(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> MagicMock:
    send_task = MagicMock(side_effect=ConnectionError("broker down"))
    monkeypatch.setattr("app.celery.task_queue.queue_task", send_task)
    return send_task


def test_a_persisted_notification_is_created_with_what_was_prepared(make_prepared: MakePrepared) -> None:
    prepared = make_prepared(client_reference="my-ref", unsubscribe_link="https://example.com/u")

    persist_notification(prepared)

    stored = dao_get_notification_by_id(prepared.id)
    assert (stored.status, stored.to, stored.normalised_to, stored.client_reference) == (
        "created",
        "07700900123",
        "447700900123",
        "my-ref",
    )
    assert (stored.template_id, stored.template_version, stored.key_type, stored.api_key_id) == (
        prepared.template.id,
        1,
        "normal",
        prepared.caller.api_key_id,
    )
    assert (stored.reply_to_text, stored.unsubscribe_link, stored.billable_units) == (
        "HERALD",
        "https://example.com/u",
        0,
    )


def test_personalisation_is_stored_encrypted(make_prepared: MakePrepared) -> None:
    prepared = make_prepared()

    persist_notification(prepared)

    raw = db.session.execute(select(Notification._personalisation).where(Notification.id == prepared.id)).scalar_one()
    # A Fernet token (version byte 0x80 in URL-safe base64), which has no room for the JSON's quotes; a bare "Jo"
    # can turn up in any ciphertext by chance.
    assert (raw.startswith("gAAAAA"), '"Jo"' in raw, '"name"' in raw) == (True, False, False)
    assert dao_get_notification_by_id(prepared.id).personalisation == {"name": "Jo", "ref": "1"}


@pytest.mark.parametrize(
    ("template_type", "key_type", "queue", "task"),
    [
        ("sms", "normal", "send-sms", "deliver_sms"),
        ("email", "team", "send-email", "deliver_email"),
        ("sms", "test", "research-mode", "deliver_sms"),
        ("email", "test", "research-mode", "deliver_email"),
    ],
    ids=["sms-live", "email-team", "sms-test-key", "email-test-key"],
)
def test_delivery_is_queued_by_type_and_test_keys_go_to_research_mode(
    make_prepared: MakePrepared, template_type: str, key_type: str, queue: str, task: str
) -> None:
    prepared = make_prepared(template_type=template_type, key_type=key_type)

    enqueue_notification(prepared.id, template_type, key_type)

    assert queued_tasks(queue) == [(task, [str(prepared.id)])]


@pytest.mark.parametrize(
    ("template_type", "key_type", "queue"),
    [("sms", "normal", "priority-sms"), ("email", "team", "priority-email"), ("sms", "test", "research-mode")],
    ids=["sms-live", "email-team", "sms-test-key"],
)
def test_a_send_from_a_priority_template_is_queued_on_the_priority_lane(
    make_prepared: MakePrepared, template_type: str, key_type: str, queue: str
) -> None:
    prepared = make_prepared(template_type=template_type, key_type=key_type)
    prepared = replace(prepared, template=replace(prepared.template, process_type="priority"))

    persist_and_enqueue_notification(prepared)

    assert queued_tasks(queue) == [(f"deliver_{template_type}", [str(prepared.id)])]


def test_a_notification_is_stored_before_its_task_is_queued(
    make_prepared: MakePrepared, notify_api: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = make_prepared()
    seen_at_enqueue: list[str] = []
    monkeypatch.setattr(
        "app.celery.task_queue.queue_task",
        lambda *args, **kwargs: seen_at_enqueue.append(dao_get_notification_by_id(prepared.id).status),
    )

    persist_and_enqueue_notification(prepared)

    assert seen_at_enqueue == ["created"]


def test_a_failed_enqueue_deletes_the_notification_and_raises(
    make_prepared: MakePrepared, broken_broker: MagicMock
) -> None:
    prepared = make_prepared()

    with pytest.raises(ConnectionError):
        persist_and_enqueue_notification(prepared)

    assert db.session.get(Notification, prepared.id) is None


def test_a_failed_enqueue_deletes_the_idempotency_claim_too(
    make_prepared: MakePrepared, broken_broker: MagicMock
) -> None:
    prepared = make_prepared()

    with pytest.raises(ConnectionError):
        persist_and_enqueue_notification(prepared, claim_for())

    assert db.session.execute(select(IdempotencyRecord)).all() == []


def test_a_queued_notification_completes_its_idempotency_claim(make_prepared: MakePrepared) -> None:
    prepared = make_prepared()

    persist_and_enqueue_notification(prepared, claim_for())

    record = db.session.execute(select(IdempotencyRecord)).scalar_one()
    assert (record.notification_id, record.response_body) == (prepared.id, {"id": "answer"})


def test_a_claim_taken_by_another_request_stores_nothing(make_prepared: MakePrepared) -> None:
    first = make_prepared()
    persist_notification(first, claim_for())
    second = replace(make_prepared(), caller=first.caller)

    with pytest.raises(IdempotencyKeyTakenError):
        persist_notification(second, claim_for())

    assert db.session.get(Notification, second.id) is None
