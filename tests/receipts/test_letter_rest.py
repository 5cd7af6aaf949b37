"""POST /notifications/letter/status?token=…: the print provider's despatch confirmation (letters.md §5.5)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from unittest.mock import patch

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import OperationalError as DatabaseError

from app.celery.letter_print_tasks import process_letter_callback
from app.dao.notifications_dao import dao_get_notification_by_id, dao_get_notification_status_by_id
from app.letters.despatch_token import despatch_token
from app.notification_status import NotificationStatus
from app.receipts.letter_rest import MAX_LETTER_CALLBACK_BYTES
from tests.letters.letter_rows import create_letter

S = NotificationStatus


def _confirmation(job_id: str, job_status: str = "DESPATCHED", total_sheets: str = "1") -> dict[str, Any]:
    data: dict[str, Any] = {"jobId": job_id, "jobStatus": job_status, "transitionDate": "2026-06-05T18:10:00Z"}
    if job_status == "DESPATCHED":
        data["despatchProperties"] = [
            {"key": "totalSheets", "value": total_sheets},
            {"key": "postageClass", "value": "2ND"},
            {"key": "mailingProduct", "value": "MM"},
        ]
    return {
        "specVersion": "1",
        "type": "uk.gov.dvla.osl.osldatadictionaryschemas.print.messages.v2.PrintJobStatus",
        "source": "dvla:resource:osl:print:print-hub-fulfilment:5.18.0",
        "id": str(uuid.uuid4()),
        "time": "2026-06-05T18:10:01.123Z",
        "dataContentType": "application/json",
        "dataSchema": "https://example/schemas/PrintJobStatus.json",
        "data": data,
        "metadata": {"correlationId": str(uuid.uuid4())},
    }


def _post(client: FlaskClient, notify_api: Flask, letter_id: uuid.UUID, body: Any, token: str | None = None):
    token = token if token is not None else despatch_token(notify_api.config["SECRET_KEY"], letter_id)
    return client.post(
        f"/notifications/letter/status?token={token}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )


def test_a_despatched_letter_is_delivered_and_answered_204(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="sending", with_pdf=False)

    response = _post(client, notify_api, letter.id, _confirmation(str(letter.id)))

    assert (response.status_code, response.data) == (204, b"")
    assert dao_get_notification_by_id(letter.id).status == S.DELIVERED


def test_a_rejected_letter_is_a_technical_failure(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="sending", with_pdf=False)

    response = _post(client, notify_api, letter.id, _confirmation(str(letter.id), "REJECTED"))

    assert response.status_code == 204
    assert dao_get_notification_by_id(letter.id).status == S.TECHNICAL_FAILURE


def test_the_first_result_wins(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="sending", with_pdf=False)
    _post(client, notify_api, letter.id, _confirmation(str(letter.id)))

    repeated = _post(client, notify_api, letter.id, _confirmation(str(letter.id)))
    contradicting = _post(client, notify_api, letter.id, _confirmation(str(letter.id), "REJECTED"))

    assert (repeated.status_code, contradicting.status_code) == (204, 204)
    assert dao_get_notification_by_id(letter.id).status == S.DELIVERED


def test_a_confirmation_for_an_unknown_letter_changes_nothing(client: FlaskClient, notify_api: Flask) -> None:
    unknown = uuid.uuid4()

    response = _post(client, notify_api, unknown, _confirmation(str(unknown)))

    assert response.status_code == 204


@pytest.mark.parametrize(
    "token",
    ["", "not-a-token", "{id}.0000", "{id}.{signature_of_other}", "x" * 5000],
    ids=["missing", "garbage", "short-signature", "signature-of-another-letter", "huge"],
)
def test_a_bad_token_is_refused_403(client: FlaskClient, notify_api: Flask, token: str) -> None:
    letter = create_letter(status="sending", with_pdf=False)
    other = despatch_token(notify_api.config["SECRET_KEY"], uuid.uuid4()).split(".")[1]
    token = token.format(id=letter.id, signature_of_other=other)

    response = _post(client, notify_api, letter.id, _confirmation(str(letter.id)), token=token)

    assert (response.status_code, response.get_json()) == (
        403,
        {
            "status_code": 403,
            "errors": [{"error": "AuthError", "message": "A valid token must be provided in the query string"}],
        },
    )
    assert dao_get_notification_by_id(letter.id).status == S.SENDING


def test_a_confirmation_for_another_letter_is_refused_400(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="sending", with_pdf=False)
    other = create_letter(status="sending", with_pdf=False)

    response = _post(client, notify_api, letter.id, _confirmation(str(other.id)))

    assert (response.status_code, response.get_json()["errors"][0]["message"]) == (
        400,
        "Notification ID in letter callback data does not match ID in token",
    )
    assert dao_get_notification_by_id(other.id).status == S.SENDING


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda body: body.pop("metadata"), "metadata is a required property"),
        (lambda body: body["data"].update(jobStatus="LOST"), "data.jobStatus"),
        (lambda body: body["data"].update(transitionDate="5 June"), "data.transitionDate"),
        (lambda body: body["data"].pop("despatchProperties"), "despatchProperties is a required property"),
        (lambda body: body["data"]["despatchProperties"].pop(), "data.despatchProperties"),
        (lambda body: body["data"]["despatchProperties"][2].update(value="AIRMAIL"), "mailingProduct must be one of"),
    ],
    ids=["no-metadata", "unknown-status", "bad-date", "despatched-without-properties", "two-properties", "product"],
)
def test_a_confirmation_that_breaks_the_schema_is_refused_400(
    client: FlaskClient, notify_api: Flask, change: Any, message: str
) -> None:
    letter = create_letter(status="sending", with_pdf=False)
    body = _confirmation(str(letter.id))
    change(body)

    response = _post(client, notify_api, letter.id, body)

    assert response.status_code == 400
    assert any(message in error["message"] for error in response.get_json()["errors"])
    assert dao_get_notification_by_id(letter.id).status == S.SENDING


@pytest.mark.parametrize("raw", [b"{", b"[]", b'{"id": NaN}', b'{"a": "\\ud800"}'], ids=str)
def test_a_body_that_is_not_strict_json_is_refused_400(client: FlaskClient, notify_api: Flask, raw: bytes) -> None:
    letter_id = uuid.uuid4()
    token = despatch_token(notify_api.config["SECRET_KEY"], letter_id)

    response = client.post(f"/notifications/letter/status?token={token}", data=raw)

    assert response.status_code == 400
    assert response.get_json()["status_code"] == 400


def test_an_oversized_body_is_refused_413_unread(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="sending", with_pdf=False)
    body = _confirmation(str(letter.id))
    body["padding"] = "x" * MAX_LETTER_CALLBACK_BYTES

    response = _post(client, notify_api, letter.id, body)

    assert response.status_code == 413
    assert dao_get_notification_by_id(letter.id).status == S.SENDING


def test_a_confirmation_the_database_cannot_take_is_queued(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="sending", with_pdf=False)
    failure = DatabaseError("UPDATE notifications ...", {}, Exception("server closed the connection unexpectedly"))

    with (
        patch("app.receipts.letter_rest.apply_despatch_confirmation", side_effect=failure),
        patch("app.celery.task_queue.queue_task") as queue_task,
    ):
        response = _post(client, notify_api, letter.id, _confirmation(str(letter.id), total_sheets="2"))

    assert response.status_code == 204
    queue_task.assert_called_once_with(
        "process-letter-callback", args=[str(letter.id), "DESPATCHED", "2"], queue="receipts"
    )


def test_a_letter_handed_back_after_an_unanswered_send_is_delivered_by_its_confirmation(
    client: FlaskClient, notify_api: Flask
) -> None:
    letter = create_letter(status="created", with_pdf=False)  # the print request timed out, yet the provider had it

    response = _post(client, notify_api, letter.id, _confirmation(str(letter.id)))

    stored = dao_get_notification_by_id(letter.id)
    assert (response.status_code, stored.status, stored.sent_by) == (204, S.DELIVERED, "dvla")
    assert stored.sent_at is not None


def test_a_cancelled_letter_is_left_cancelled(client: FlaskClient, notify_api: Flask) -> None:
    letter = create_letter(status="cancelled", with_pdf=False)

    response = _post(client, notify_api, letter.id, _confirmation(str(letter.id)))

    assert (response.status_code, dao_get_notification_by_id(letter.id).status) == (204, S.CANCELLED)


@pytest.mark.usefixtures("notify_db_session")
def test_the_queued_confirmation_task_applies_it() -> None:
    letter = create_letter(status="sending", with_pdf=False)

    process_letter_callback(str(letter.id), "REJECTED", None)

    assert dao_get_notification_status_by_id(letter.id) == S.TECHNICAL_FAILURE
