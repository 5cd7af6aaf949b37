"""Returned letters (letters.md §5.6): reported by reference, marked `returned-letter` once, recorded, and the
service told through its returned-letter callback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from unittest.mock import MagicMock

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from app.celery.letter_print_tasks import process_returned_letters_list
from app.celery.service_callback_tasks import send_returned_letter_to_service
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.service_callback_dao import dao_save_service_callback
from app.extensions import db
from app.models import ReturnedLetter
from tests.auth_helpers import admin_auth_header
from tests.callbacks.recording_server import RecordingServer
from tests.letters.letter_rows import create_letter

pytestmark = pytest.mark.usefixtures("notify_db_session", "letters_directory")
BEARER_TOKEN = "returned-letter-token"
REPORTED_AT = date(2026, 6, 12)


@pytest.fixture
def callback_server() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    yield server
    server.stop()


def test_reported_references_are_echoed_and_queued(client: FlaskClient, send_task: MagicMock) -> None:
    references = ["ABCDEFGHIJ123456", "0123456789ABCDEF"]

    response = client.post("/letters/returned", json={"references": references}, headers=[admin_auth_header()])

    assert (response.status_code, response.get_json()) == (200, {"references": references})
    (call,) = send_task.call_args_list
    assert (call.args[0], call.kwargs["args"][0], call.kwargs["queue"]) == (
        "process-returned-letters-list",
        references,
        "jobs",
    )


@pytest.mark.parametrize(
    "body",
    [{}, {"references": []}, {"references": ["abcdefghij123456"]}, {"references": ["SHORT"]}, {"references": "X"}],
    ids=["missing", "empty", "lower-case", "short", "not-a-list"],
)
def test_a_bad_list_of_references_is_refused(client: FlaskClient, send_task: MagicMock, body: object) -> None:
    response = client.post("/letters/returned", json=body, headers=[admin_auth_header()])

    assert response.status_code == 400
    send_task.assert_not_called()


def test_a_delivered_letter_becomes_returned_and_is_recorded_once(send_task: MagicMock) -> None:
    letter = create_letter(status="delivered", reference="RETURNED00000001")
    never_printed = create_letter(status="created", reference="RETURNED00000002")

    first = process_returned_letters_list(["RETURNED00000001", "RETURNED00000002"], REPORTED_AT.isoformat())
    again = process_returned_letters_list(["RETURNED00000001"], REPORTED_AT.isoformat())

    assert (first, again) == (1, 0)
    assert dao_get_notification_by_id(letter.id).status == "returned-letter"
    assert dao_get_notification_by_id(never_printed.id).status == "created"
    rows = db.session.execute(select(ReturnedLetter)).scalars().all()
    assert [(row.notification_id, row.service_id, row.reported_at) for row in rows] == [
        (letter.id, letter.service_id, REPORTED_AT)
    ]


def test_a_returned_letter_queues_the_services_returned_letter_callback(send_task: MagicMock) -> None:
    letter = create_letter(status="sending", reference="RETURNED00000003")
    dao_save_service_callback(
        letter.service_id, callback_type="returned_letter", url="https://service.example/cb", bearer_token=BEARER_TOKEN
    )

    process_returned_letters_list(["RETURNED00000003"], REPORTED_AT.isoformat())

    send_task.assert_called_once_with("send_returned_letter_to_service", args=[str(letter.id)], queue="callbacks")


def test_a_service_without_the_callback_hears_nothing(send_task: MagicMock) -> None:
    create_letter(status="delivered", reference="RETURNED00000004")

    process_returned_letters_list(["RETURNED00000004"], REPORTED_AT.isoformat())

    send_task.assert_not_called()


def test_the_returned_letter_callback_carries_notifys_fields(callback_server: RecordingServer) -> None:
    letter = create_letter(
        status="returned-letter", reference="RETURNED00000005", created_at=datetime(2026, 6, 5, 10, 0, tzinfo=UTC)
    )
    dao_save_service_callback(
        letter.service_id, callback_type="returned_letter", url=f"{callback_server.url}/cb", bearer_token=BEARER_TOKEN
    )

    send_returned_letter_to_service(str(letter.id))

    (request,) = callback_server.requests
    assert request.headers["Authorization"] == f"Bearer {BEARER_TOKEN}"
    body = json.loads(request.body)
    assert body == {
        "notification_id": str(letter.id),
        "reference": None,
        "date_sent": body["date_sent"],
        "sent_by": "API",
        "template_name": body["template_name"],
        "template_id": str(letter.template_id),
        "template_version": letter.template_version,
        "spreadsheet_file_name": None,
        "spreadsheet_row_number": None,
        "upload_letter_file_name": None,
    }
    assert body["date_sent"].startswith("2026-06-05T10:00:00")
