"""Idempotency-Key on POST /v2/notifications/sms and /email (beyond Notify): replays, conflicts and races."""

from __future__ import annotations

import threading
from datetime import timedelta
from unittest.mock import MagicMock

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.clock import utc_now
from app.encryption import encryptor
from app.extensions import db
from app.limits.daily import daily_count_key
from app.models import IdempotencyRecord, Notification
from tests.v2.notifications.send_api import (
    Sender,
    create_sender,
    email_body,
    errors_of,
    post_send,
    queued_tasks,
    sms_body,
    stored_notification_count,
)


@pytest.fixture
def sender(notify_db_session: None) -> Sender:
    return create_sender()


def key(value: str = "order-1234") -> list[tuple[str, str]]:
    return [("Idempotency-Key", value)]


def test_a_repeated_request_gets_the_first_answer_and_creates_nothing(client: FlaskClient, sender: Sender) -> None:
    first = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    again = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert stored_notification_count() == 1
    assert queued_tasks("send-sms") == [("deliver_sms", [first.get_json()["id"]])]


def test_a_replayed_answer_says_so_in_a_header(client: FlaskClient, sender: Sender) -> None:
    first = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    again = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    assert ("Idempotent-Replayed" in first.headers, again.headers["Idempotent-Replayed"]) == (False, "true")


def test_the_same_body_written_in_another_order_is_the_same_request(client: FlaskClient, sender: Sender) -> None:
    body = sms_body(sender, reference="r")
    first = post_send(client, sender.api_key, "sms", body, headers=key())

    again = post_send(client, sender.api_key, "sms", dict(reversed(body.items())), headers=key())

    assert again.get_json()["id"] == first.get_json()["id"]


def test_a_replay_is_not_counted_against_the_daily_limit(
    notify_api: Flask, client: FlaskClient, sender: Sender
) -> None:
    redis_store: redis.Redis = notify_api.extensions["redis"]
    for _ in range(3):
        post_send(client, sender.api_key, "email", email_body(sender), headers=key())

    assert int(redis_store.get(daily_count_key(sender.service.id, "email", utc_now().date()))) == 1


def test_the_same_key_with_another_body_is_a_conflict(client: FlaskClient, sender: Sender) -> None:
    post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    response = post_send(client, sender.api_key, "sms", sms_body(sender, reference="other"), headers=key())

    assert (response.status_code, errors_of(response)) == (
        409,
        [{"error": "ConflictError", "message": "Idempotency-Key has already been used with a different request"}],
    )
    assert stored_notification_count() == 1


def test_the_same_key_on_another_endpoint_is_a_conflict(client: FlaskClient, sender: Sender) -> None:
    post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    response = post_send(client, sender.api_key, "email", email_body(sender), headers=key())

    assert response.status_code == 409


def test_keys_belong_to_one_service(client: FlaskClient, sender: Sender) -> None:
    other = create_sender()
    first = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    response = post_send(client, other.api_key, "sms", sms_body(other), headers=key())

    assert response.status_code == 201
    assert response.get_json()["id"] != first.get_json()["id"]


def test_a_key_is_forgotten_after_24_hours(client: FlaskClient, sender: Sender) -> None:
    with freeze_time(utc_now() - timedelta(hours=25)):
        first = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    again = post_send(client, sender.api_key, "sms", sms_body(sender, reference="new"), headers=key())

    assert again.status_code == 201
    assert again.get_json()["id"] != first.get_json()["id"]


def test_a_refused_request_does_not_use_up_its_key(client: FlaskClient, sender: Sender) -> None:
    post_send(client, sender.api_key, "sms", sms_body(sender, personalisation={}), headers=key())

    response = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    assert response.status_code == 201


def test_a_failed_enqueue_does_not_use_up_its_key(
    notify_api: Flask, client: FlaskClient, sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    celery = notify_api.extensions["celery"]
    with monkeypatch.context() as broken:
        broken.setattr(celery, "send_task", MagicMock(side_effect=OSError("broker down")))
        failed = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    retried = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    assert (failed.status_code, retried.status_code) == (500, 201)
    assert stored_notification_count() == 1


def test_a_smoke_test_send_replays_the_same_id(client: FlaskClient, sender: Sender) -> None:
    body = sms_body(sender, phone_number="07700900000")
    first = post_send(client, sender.api_key, "sms", body, headers=key())

    again = post_send(client, sender.api_key, "sms", body, headers=key())

    assert again.get_json()["id"] == first.get_json()["id"]
    assert stored_notification_count() == 0


def test_the_stored_record_holds_the_answer_and_its_notification(client: FlaskClient, sender: Sender) -> None:
    response = post_send(client, sender.api_key, "email", email_body(sender), headers=key())

    record = db.session.execute(select(IdempotencyRecord)).scalar_one()
    assert (record.idempotency_key, str(record.notification_id), record.response_body) == (
        "order-1234",
        response.get_json()["id"],
        response.get_json(),
    )


@pytest.mark.parametrize("value", ["", "k" * 256], ids=["empty", "too-long"])
def test_a_bad_key_is_refused(client: FlaskClient, sender: Sender, value: str) -> None:
    response = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key(value))

    assert (response.status_code, errors_of(response)) == (
        400,
        [{"error": "BadRequestError", "message": "Idempotency-Key must be 1 to 255 printable ASCII characters"}],
    )


def test_concurrent_identical_requests_create_one_notification(notify_api: Flask, sender: Sender) -> None:
    body = sms_body(sender)
    start = threading.Barrier(6)
    answers: list[tuple[int, str]] = []

    def send() -> None:
        with notify_api.app_context():
            client = notify_api.test_client()
            start.wait()
            response = post_send(client, sender.api_key, "sms", body, headers=key("race"))
            answers.append((response.status_code, response.get_json()["id"]))
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    notification_ids = db.session.execute(select(Notification.id)).scalars().all()
    assert len(notification_ids) == 1
    assert answers == [(201, str(notification_ids[0]))] * 6


def test_a_key_first_used_with_a_test_key_does_not_stop_a_live_send(client: FlaskClient, sender: Sender) -> None:
    test_sender = sender.with_key("test")
    rehearsal = post_send(client, test_sender.api_key, "sms", sms_body(sender), headers=key())

    live = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    assert (live.status_code, "Idempotent-Replayed" in live.headers) == (201, False)
    assert live.get_json()["id"] != rehearsal.get_json()["id"]
    assert queued_tasks("send-sms") == [("deliver_sms", [live.get_json()["id"]])]
    assert queued_tasks("research-mode") == [("deliver_sms", [rehearsal.get_json()["id"]])]
    assert stored_notification_count() == 2


def test_a_live_key_replays_its_own_answer_after_a_test_key_used_the_same_key(
    client: FlaskClient, sender: Sender
) -> None:
    post_send(client, sender.with_key("test").api_key, "sms", sms_body(sender), headers=key())
    live = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    again = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key())

    assert (again.headers["Idempotent-Replayed"], again.get_json()) == ("true", live.get_json())
    assert stored_notification_count() == 2


def test_the_remembered_answer_is_not_stored_in_plaintext(client: FlaskClient, sender: Sender) -> None:
    answer = post_send(client, sender.api_key, "sms", sms_body(sender), headers=key()).get_json()

    stored = db.session.execute(select(IdempotencyRecord._response_body)).scalar_one()

    # Whole values only: a two-letter name can turn up in any ciphertext by chance.
    assert answer["content"]["body"] not in stored
    assert answer["id"] not in stored
    assert encryptor().decrypt_json(stored) == answer
