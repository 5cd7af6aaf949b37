"""deliver_letter: a ready letter is claimed once, sent with its PDF, and answered as letters.md §5.4 says."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta
from unittest.mock import patch

import pytest
import responses
from celery import Task
from flask import Flask

from app.celery.letter_print_tasks import MAX_PRINT_RETRIES, deliver_letter
from app.clock import utc_now
from app.dao.notification_status_dao import dao_update_notification_status_by_id
from app.dao.notifications_dao import dao_get_notification_by_id
from app.delivery.safety_nets import requeue_stale_sending_claims
from app.extensions import db
from app.letters.despatch_token import notification_id_of_despatch_token
from app.letters.send_to_print import LetterPrintRetryableError, send_letter_to_print
from app.notification_status import NotificationStatus
from tests.letters.conftest import PRINT_API_URL
from tests.letters.letter_rows import PDF, create_letter

S = NotificationStatus
PRINT_URL = f"{PRINT_API_URL}/print-request/v1/print/jobs"
pytestmark = pytest.mark.usefixtures("notify_db_session", "letters_directory")


def _print_calls(mock: responses.RequestsMock) -> list[responses.Call]:
    return [call for call in mock.calls if call.request.url == PRINT_URL]


def _run_as_retry(task: Task, retries: int, *args: object) -> None:
    task.push_request(retries=retries, args=list(args), kwargs={})
    try:
        task.run(*args)
    finally:
        task.pop_request()


def test_a_ready_letter_is_sent_to_print_and_becomes_sending(
    notify_api: Flask, print_provider: responses.RequestsMock
) -> None:
    print_provider.post(PRINT_URL, status=202)
    letter = create_letter()

    send_letter_to_print(letter.id)

    stored = dao_get_notification_by_id(letter.id)
    assert (stored.status, stored.sent_by, stored.billable_units) == (S.SENDING, "dvla", 1)
    assert stored.sent_at is not None
    body = json.loads(_print_calls(print_provider)[0].request.body)
    assert body["customParams"][0]["value"] == base64.b64encode(PDF).decode()
    target = body["callbackParams"]["target"]
    assert target.startswith(f"{notify_api.config['API_HOST_NAME']}/notifications/letter/status?token=")
    token = target.split("token=", 1)[1]
    assert notification_id_of_despatch_token(notify_api.config["SECRET_KEY"], token) == letter.id


def test_a_letter_the_provider_refuses_is_a_technical_failure(print_provider: responses.RequestsMock) -> None:
    print_provider.post(PRINT_URL, status=400, json={"errors": [{"detail": "bad address"}]})
    letter = create_letter()

    send_letter_to_print(letter.id)

    assert dao_get_notification_by_id(letter.id).status == S.TECHNICAL_FAILURE


def test_a_provider_failure_hands_the_letter_back_for_a_retry(print_provider: responses.RequestsMock) -> None:
    print_provider.post(PRINT_URL, status=503)
    letter = create_letter()

    with pytest.raises(LetterPrintRetryableError):
        send_letter_to_print(letter.id)

    stored = dao_get_notification_by_id(letter.id)
    assert (stored.status, stored.sent_at) == (S.CREATED, None)


def test_a_letter_whose_pdf_is_gone_is_a_technical_failure(print_provider: responses.RequestsMock) -> None:
    letter = create_letter(with_pdf=False)

    send_letter_to_print(letter.id)

    assert dao_get_notification_by_id(letter.id).status == S.TECHNICAL_FAILURE
    assert _print_calls(print_provider) == []


@pytest.mark.parametrize(
    "letter_settings",
    [
        {"billable_units": 0, "with_pdf": False},
        {"key_type": "test"},
        {"status": "cancelled"},
        {"status": "sending"},
    ],
    ids=["pdf-not-made", "test-key", "cancelled", "already-claimed"],
)
def test_a_letter_not_ready_to_print_is_left_alone(
    print_provider: responses.RequestsMock, letter_settings: dict[str, object]
) -> None:
    letter = create_letter(**letter_settings)  # type: ignore[arg-type]

    send_letter_to_print(letter.id)

    assert dao_get_notification_by_id(letter.id).status == letter_settings.get("status", S.CREATED)
    assert _print_calls(print_provider) == []


def test_two_workers_racing_for_a_letter_send_it_once(
    notify_api: Flask, print_provider: responses.RequestsMock
) -> None:
    print_provider.post(PRINT_URL, status=202)
    letter = create_letter()
    start = threading.Barrier(2)

    def worker() -> None:
        with notify_api.app_context():
            start.wait()
            send_letter_to_print(letter.id)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.remove()  # this thread's session still holds the row as it was before the workers ran
    assert len(_print_calls(print_provider)) == 1
    assert dao_get_notification_by_id(letter.id).status == S.SENDING


def test_a_letter_whose_worker_died_holding_it_is_queued_again_on_the_print_queue() -> None:
    letter = create_letter()
    dao_update_notification_status_by_id(letter.id, S.SENDING, sending_claimed_at=utc_now() - timedelta(minutes=3))

    with patch("app.celery.task_queue.queue_task") as queue_task:
        queued = requeue_stale_sending_claims()

    assert (queued, dao_get_notification_by_id(letter.id).status) == (1, S.CREATED)
    queue_task.assert_called_once_with(
        "deliver_letter", args=[str(letter.id)], queue="send-letter-tasks", kwargs=None, countdown_seconds=0
    )


def test_deliver_letter_retries_a_provider_failure_in_three_minutes(print_provider: responses.RequestsMock) -> None:
    print_provider.post(PRINT_URL, status=500)
    letter = create_letter()

    with (
        patch.object(deliver_letter, "retry", side_effect=RuntimeError("retried")) as retry,
        pytest.raises(RuntimeError, match="retried"),
    ):
        _run_as_retry(deliver_letter, 0, str(letter.id))

    assert retry.call_args.kwargs == {"countdown": 180, "queue": "retry"}
    assert dao_get_notification_by_id(letter.id).next_attempt_at is not None


def test_after_the_last_retry_the_letter_is_a_technical_failure(print_provider: responses.RequestsMock) -> None:
    print_provider.post(PRINT_URL, status=500)
    letter = create_letter()

    _run_as_retry(deliver_letter, MAX_PRINT_RETRIES, str(letter.id))

    assert dao_get_notification_by_id(letter.id).status == S.TECHNICAL_FAILURE


def test_deliver_letter_for_an_unknown_letter_does_nothing(print_provider: responses.RequestsMock) -> None:
    _run_as_retry(deliver_letter, 0, "7d1b6b8e-4a8c-4d29-9f0e-2f3c1a9b5e10")

    assert _print_calls(print_provider) == []
