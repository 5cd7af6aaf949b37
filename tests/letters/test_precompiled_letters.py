"""Precompiled letters end to end in one process: POST (Notify's checks, what is stored), the scan and the checks
through the real Celery tasks, and GET .../pdf at each stage."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from notifications_python_client.notifications import NotificationsAPIClient
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from app.celery.precompiled_letter_tasks import (
    rescan_pending_precompiled_letters,
    sanitise_letter,
    scan_file,
)
from app.celery.queues import QueueNames
from app.clients.antivirus.clamd import EICAR_SIGNATURE, DevelopmentScanner, ScanResult, VirusScanError
from app.clock import utc_now
from app.dao.notifications_dao import dao_get_notification_by_id
from app.dao.precompiled_letters_dao import precompiled_template_id
from app.extensions import db
from app.letters import pdf_store, precompiled
from app.letters.create_pdf import letter_file_of
from app.letters.precompiled import MAX_CONTENT_CHARACTERS
from app.models import ApiKey, Notification, Template
from tests.auth_helpers import service_auth_header
from tests.contract import validate_against_client_schema
from tests.e2e.live_service import client_key
from tests.factories import create_api_key, create_service
from tests.letters.pdf_samples import letter_pdf
from tests.v2.notifications.send_api import errors_of, post_send, queued_tasks, stored_notification_count

PDF_NOT_READY = {"error": "PDFNotReadyError", "message": "PDF not available yet, try again later"}


@pytest.fixture
def api_key(notify_db_session: None, letters_directory: Path) -> ApiKey:
    return create_api_key(service=create_service(permissions=["letter"]))


def _body(pdf: bytes, **fields: Any) -> dict[str, Any]:
    return {"reference": "my-ref", "content": base64.b64encode(pdf).decode(), **fields}


def _send(client: FlaskClient, api_key: ApiKey, pdf: bytes, **fields: Any) -> Notification:
    response = post_send(client, api_key, "letter", _body(pdf, **fields))
    assert response.status_code == 201, response.get_json()
    return dao_get_notification_by_id(response.get_json()["id"])


def _files(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


def _get_pdf(client: FlaskClient, api_key: ApiKey, notification: Notification) -> tuple[int, Any]:
    response = client.get(f"/v2/notifications/{notification.id}/pdf", headers=[service_auth_header(api_key)])
    return response.status_code, (response.get_json()["errors"] if response.is_json else response.data)


def _reloaded(notification: Notification) -> Notification:
    db.session.expire_all()
    return dao_get_notification_by_id(notification.id)


def test_a_precompiled_letter_is_stored_pending_its_virus_scan_and_answered_as_notify_does(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path
) -> None:
    response = post_send(client, api_key, "letter", _body(letter_pdf(), postage="first"))

    assert response.status_code == 201
    body = response.get_json()
    validate_against_client_schema(body, "notification_schemas.post_precompiled_letter_response.json")
    assert body == {"id": body["id"], "reference": "my-ref", "postage": "first"}
    notification = dao_get_notification_by_id(body["id"])
    assert (
        notification.status,
        notification.to,
        notification.personalisation,
        notification.billable_units,
        notification.postage,
        notification.client_reference,
    ) == ("pending-virus-check", "Provided as PDF", {"address_line_1": "Provided as PDF"}, 0, "first", "my-ref")
    template = db.session.get(Template, notification.template_id)
    assert template is not None
    assert (template.name, template.subject, template.content, template.hidden, template.postage) == (
        "Pre-compiled PDF",
        "Pre-compiled PDF",
        "",
        True,
        "second",
    )
    assert _files(letters_directory) == [letter_file_of(notification).scan_name]
    assert queued_tasks(QueueNames.ANTIVIRUS) == [("scan-file", [str(notification.id)])]


def test_the_hidden_template_is_made_once_per_service_and_never_listed(client: FlaskClient, api_key: ApiKey) -> None:
    first, second = _send(client, api_key, letter_pdf()), _send(client, api_key, letter_pdf())

    assert first.template_id == second.template_id == precompiled_template_id(api_key.service_id)
    assert first.postage == "second"
    listed = client.get("/v2/templates?type=letter", headers=[service_auth_header(api_key)]).get_json()
    assert listed == {"templates": []}


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        (
            {"content": "aGk="},
            400,
            [{"error": "ValidationError", "message": "reference is a required property"}],
        ),
        (
            {"reference": "r", "content": "aGk=", "postage": "europe"},
            400,
            [{"error": "ValidationError", "message": "postage invalid. It must be either first, second or economy."}],
        ),
        (
            {"reference": "r", "content": 12},
            400,
            [{"error": "ValidationError", "message": "content 12 is not of type string"}],
        ),
        (
            {"reference": "r", "content": "aGk=", "template_id": "x"},
            400,
            [
                {
                    "error": "ValidationError",
                    "message": "Additional properties are not allowed (template_id was unexpected)",
                }
            ],
        ),
        (
            {"reference": "r", "content": "hi"},
            400,
            [{"error": "BadRequestError", "message": "Cannot decode letter content (invalid base64 encoding)"}],
        ),
        (
            {"reference": "r", "content": "A" * (MAX_CONTENT_CHARACTERS + 4)},
            400,
            [{"error": "ValidationError", "message": "content is too large: the PDF can be at most 5 MB"}],
        ),
    ],
    ids=["no-reference", "bad-postage", "content-not-string", "extra-key", "bad-base64", "too-large"],
)
def test_a_refused_request_stores_nothing(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path, body: Any, status: int, errors: Any
) -> None:
    response = post_send(client, api_key, "letter", body)

    assert (response.status_code, errors_of(response)) == (status, errors)
    assert (stored_notification_count(), _files(letters_directory), queued_tasks(QueueNames.ANTIVIRUS)) == (0, [], [])


def test_the_permission_and_key_checks_come_before_the_base64(notify_db_session: None, client: FlaskClient) -> None:
    no_permission = create_api_key(service=create_service(permissions=["sms"]))
    team_key = create_api_key(service=create_service(permissions=["letter"]), key_type="team")
    trial = create_api_key(service=create_service(permissions=["letter"], restricted=True))

    answers = [
        (response.status_code, errors_of(response))
        for response in (
            post_send(client, key, "letter", {"reference": "r", "content": "hi"})
            for key in (no_permission, team_key, trial)
        )
    ]

    assert answers == [
        (400, [{"error": "BadRequestError", "message": "Service is not allowed to send letters"}]),
        (403, [{"error": "BadRequestError", "message": "Cannot send letters with a team api key"}]),
        (403, [{"error": "BadRequestError", "message": "Cannot send letters when service is in trial mode"}]),
    ]


def test_a_failed_upload_stores_nothing(
    client: FlaskClient, api_key: ApiKey, monkeypatch: pytest.MonkeyPatch, letters_directory: Path
) -> None:
    def refuse(*_: Any) -> None:
        raise pdf_store.LetterPdfStoreError("down")

    monkeypatch.setattr(pdf_store.LocalLetterPdfStore, "put", refuse)

    response = post_send(client, api_key, "letter", _body(letter_pdf()))

    assert response.status_code == 500
    assert (stored_notification_count(), _files(letters_directory), queued_tasks(QueueNames.ANTIVIRUS)) == (0, [], [])


def test_a_broker_that_refuses_the_scan_leaves_no_letter_and_no_file(
    client: FlaskClient, api_key: ApiKey, monkeypatch: pytest.MonkeyPatch, letters_directory: Path
) -> None:
    def refuse(*_: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(precompiled, "enqueue_virus_scan_task", refuse)

    response = post_send(client, api_key, "letter", _body(letter_pdf()))

    assert response.status_code == 500
    assert (stored_notification_count(), _files(letters_directory)) == (0, [])


def test_a_clean_valid_letter_becomes_ready_to_print_through_the_tasks(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path
) -> None:
    pdf = letter_pdf(pages=3)
    notification = _send(client, api_key, pdf, postage="first")
    assert _get_pdf(client, api_key, notification) == (400, [PDF_NOT_READY])

    scan_file(str(notification.id))
    assert queued_tasks(QueueNames.SANITISE_LETTERS) == [("sanitise-letter", [str(notification.id)])]
    assert _reloaded(notification).status == "pending-virus-check"
    sanitise_letter(str(notification.id))

    letter = _reloaded(notification)
    assert (letter.status, letter.billable_units, letter.to, letter.postage, letter.international) == (
        "created",
        2,
        "Ann Other\n1 High Street\nSW1A 1AA",
        "first",
        False,
    )
    assert _files(letters_directory) == [letter_file_of(letter).name]
    assert _get_pdf(client, api_key, letter) == (200, pdf)
    v2 = client.get(f"/v2/notifications/{letter.id}", headers=[service_auth_header(api_key)]).get_json()
    assert (v2["status"], v2["line_1"], v2["postcode"]) == ("accepted", "Ann Other", "SW1A 1AA")


def test_the_tasks_run_again_change_nothing(client: FlaskClient, api_key: ApiKey, letters_directory: Path) -> None:
    notification = _send(client, api_key, letter_pdf())
    scan_file(str(notification.id))
    sanitise_letter(str(notification.id))
    before = _reloaded(notification)
    updated_at, files = before.updated_at, _files(letters_directory)

    scan_file(str(notification.id))
    sanitise_letter(str(notification.id))

    after = _reloaded(notification)
    assert (after.status, after.updated_at, _files(letters_directory)) == ("created", updated_at, files)
    assert queued_tasks(QueueNames.SANITISE_LETTERS) == [("sanitise-letter", [str(notification.id)])]


def test_an_infected_upload_is_a_virus_scan_failure_and_never_served(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path
) -> None:
    notification = _send(client, api_key, letter_pdf() + EICAR_SIGNATURE)

    scan_file(str(notification.id))

    letter = _reloaded(notification)
    assert (letter.status, letter.billable_units, queued_tasks(QueueNames.SANITISE_LETTERS)) == (
        "virus-scan-failed",
        0,
        [],
    )
    assert _get_pdf(client, api_key, letter) == (
        400,
        [{"error": "BadRequestError", "message": "File did not pass the virus scan"}],
    )
    v2 = client.get(f"/v2/notifications/{letter.id}", headers=[service_auth_header(api_key)]).get_json()
    assert v2["status"] == "virus-scan-failed"


@pytest.mark.parametrize(
    "pdf",
    [b"not a pdf at all", letter_pdf(pages=11), letter_pdf(address=())],
    ids=["not-a-pdf", "too-many-pages", "address-empty"],
)
def test_a_refused_pdf_is_validation_failed_and_served_as_refused(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path, pdf: bytes
) -> None:
    notification = _send(client, api_key, pdf)

    scan_file(str(notification.id))
    sanitise_letter(str(notification.id))

    letter = _reloaded(notification)
    assert (letter.status, letter.billable_units, letter.to) == ("validation-failed", 0, "Provided as PDF")
    assert _files(letters_directory) == [letter_file_of(letter).invalid_name]
    assert _get_pdf(client, api_key, letter) == (200, pdf)


def test_an_international_address_sets_the_postage_and_moves_the_file(
    notify_db_session: None, client: FlaskClient, letters_directory: Path
) -> None:
    api_key = create_api_key(service=create_service(permissions=["letter", "international_letters"]))
    notification = _send(client, api_key, letter_pdf(address=("Ann Other", "1 Rue de Rivoli", "Paris", "France")))

    scan_file(str(notification.id))
    sanitise_letter(str(notification.id))

    letter = _reloaded(notification)
    assert (letter.status, letter.postage, letter.international, letter.to.splitlines()[-1]) == (
        "created",
        "europe",
        True,
        "France",
    )
    assert _files(letters_directory) == [letter_file_of(letter).name]
    assert ".D.E.C." in letter_file_of(letter).name


def test_a_test_key_letter_is_delivered_once_it_passes(
    notify_db_session: None, client: FlaskClient, letters_directory: Path
) -> None:
    api_key = create_api_key(service=create_service(permissions=["letter"]), key_type="test")
    notification = _send(client, api_key, letter_pdf())

    scan_file(str(notification.id))
    sanitise_letter(str(notification.id))

    letter = _reloaded(notification)
    assert (letter.status, letter.billable_units) == ("delivered", 1)
    assert _files(letters_directory) == [letter_file_of(letter).name]
    assert letter_file_of(letter).name.startswith("test/")


def test_a_letter_cancelled_while_pending_is_never_processed(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path
) -> None:
    notification = _send(client, api_key, letter_pdf())
    db.session.execute(update(Notification).where(Notification.id == notification.id).values(status="cancelled"))
    db.session.commit()

    scan_file(str(notification.id))
    sanitise_letter(str(notification.id))

    assert (_reloaded(notification).status, queued_tasks(QueueNames.SANITISE_LETTERS)) == ("cancelled", [])


def test_a_scanner_that_fails_is_retried(client: FlaskClient, api_key: ApiKey, monkeypatch: pytest.MonkeyPatch) -> None:
    notification = _send(client, api_key, letter_pdf())
    answers: list[bool] = [False, False, True]

    def flaky(self: Any, data: bytes) -> ScanResult:
        if not answers.pop(0):
            raise VirusScanError("clamd did not answer")
        return ScanResult()

    monkeypatch.setattr(DevelopmentScanner, "scan", flaky)

    result = scan_file.apply(args=[str(notification.id)])  # eager: its retries run at once

    assert (result.state, answers, _reloaded(notification).status) == ("SUCCESS", [], "pending-virus-check")
    assert queued_tasks(QueueNames.SANITISE_LETTERS) == [("sanitise-letter", [str(notification.id)])]


def test_a_scanner_that_never_answers_makes_a_technical_failure_after_5_retries(
    client: FlaskClient, api_key: ApiKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    notification = _send(client, api_key, letter_pdf())
    attempts: list[int] = []

    def no_answer(self: Any, data: bytes) -> None:
        attempts.append(1)
        raise VirusScanError("clamd did not answer")

    monkeypatch.setattr(DevelopmentScanner, "scan", no_answer)

    scan_file.apply(args=[str(notification.id)])

    letter = _reloaded(notification)
    assert (len(attempts), letter.status) == (6, "technical-failure")
    assert _get_pdf(client, api_key, letter) == (
        400,
        [{"error": "BadRequestError", "message": "PDF not available for letters in status technical-failure"}],
    )


def test_a_lost_upload_is_a_technical_failure(client: FlaskClient, api_key: ApiKey, letters_directory: Path) -> None:
    notification = _send(client, api_key, letter_pdf())
    (letters_directory / letter_file_of(notification).scan_name).unlink()

    scan_file(str(notification.id))

    assert _reloaded(notification).status == "technical-failure"


def test_the_safety_net_queues_the_scan_again_for_letters_left_pending(
    client: FlaskClient, api_key: ApiKey, letters_directory: Path
) -> None:
    stuck, recent = _send(client, api_key, letter_pdf()), _send(client, api_key, letter_pdf())
    db.session.execute(
        update(Notification)
        .where(Notification.id == stuck.id)
        .values(created_at=utc_now().replace(microsecond=0) - timedelta(minutes=30))
    )
    db.session.commit()
    queued_before = len(queued_tasks(QueueNames.ANTIVIRUS))

    assert rescan_pending_precompiled_letters() == 1
    assert queued_tasks(QueueNames.ANTIVIRUS)[queued_before:] == [("scan-file", [str(stuck.id)])]
    assert recent.status == "pending-virus-check"


@pytest.fixture
def served_api(notify_api: Flask, notify_db_session: None) -> Iterator[str]:
    """Herald's app served over HTTP in this process, for the official client."""
    server = make_server("127.0.0.1", 0, notify_api, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_official_python_client_sends_a_precompiled_letter_and_gets_its_pdf(
    served_api: str, api_key: ApiKey, letters_directory: Path
) -> None:
    notify = NotificationsAPIClient(client_key(api_key), base_url=served_api)
    pdf = letter_pdf()

    response = notify.send_precompiled_letter_notification(
        reference="client-ref", pdf_file=io.BytesIO(pdf), postage="first"
    )

    assert set(response) == {"id", "reference", "postage"}
    assert (response["reference"], response["postage"]) == ("client-ref", "first")
    scan_file(response["id"])
    sanitise_letter(response["id"])
    assert notify.get_pdf_for_letter(response["id"]).read() == pdf
    assert db.session.execute(select(func.count()).select_from(Notification)).scalar_one() == 1
