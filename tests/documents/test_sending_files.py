"""POST /v2/notifications/email with a file: the email gets a download link, the file is stored sealed, and a
refused or failed send leaves nothing behind."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.documents.sealing import CONTENT, FILENAME, DocumentKey, is_recipient, unseal
from app.documents.storage import LocalDocumentStore
from app.extensions import db
from app.models import Document, Notification
from app.templating.email_html import render_html_blocks
from app.templating.email_markdown import parse_markdown
from tests.auth_helpers import service_auth_header
from tests.documents.sending import (
    PDF_BYTES,
    FileSender,
    create_file_sender,
    file_value,
    link_in,
    send_file,
    stored_document_count,
)
from tests.v2.notifications.send_api import email_body, errors_of, post_send, stored_notification_count

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def stored_files(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


@freeze_time(NOW)
def test_the_email_gets_a_link_to_herald_s_download_page_in_place_of_the_file(
    notify_api: Flask, client: FlaskClient, file_sender: FileSender
) -> None:
    response = send_file(client, file_sender)

    assert response.status_code == 201
    body = response.get_json()["content"]["body"]
    link = link_in(body)
    assert body == f"Dear Jo,\n\n{link.url}"
    assert link.url.startswith(f"{notify_api.config['DOCUMENT_DOWNLOAD_BASE_URL']}/d/{file_sender.sender.service.id}/")
    stored = db.session.execute(select(Notification)).scalar_one()
    assert stored.personalisation == {"name": "Jo", "body": link.url}


@freeze_time(NOW)
def test_the_document_is_stored_with_notifys_defaults_and_no_key(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    link = link_in(send_file(client, file_sender).get_json()["content"]["body"])

    document = db.session.execute(select(Document)).scalar_one()
    key = DocumentKey.from_link(link.key)
    assert (document.id, document.service_id) == (link.document_id, file_sender.sender.service.id)
    assert document.notification_id == db.session.execute(select(Notification.id)).scalar_one()
    assert (document.mimetype, document.size_bytes) == ("application/pdf", len(PDF_BYTES))
    assert document.expires_at == NOW + timedelta(weeks=26)
    assert document.recipient_proof is not None
    assert is_recipient(key, "someone@example.com", document.recipient_proof)
    assert unseal(key, document.id, FILENAME, document.encrypted_filename) == b"file.pdf"
    assert key.secret not in b"".join(path.read_bytes() for path in stored_files(documents_directory))


def test_the_stored_bytes_are_not_the_file_but_open_with_the_link_s_key(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    content = b"name,amount\nJo,12\n" * 50

    link = link_in(send_file(client, file_sender, file_value(content, is_csv=True)).get_json()["content"]["body"])

    [path] = stored_files(documents_directory)
    stored = path.read_bytes()
    assert path == documents_directory / str(link.service_id) / str(link.document_id)
    assert content not in stored
    assert b"Jo,12" not in stored
    assert unseal(DocumentKey.from_link(link.key), link.document_id, CONTENT, stored) == content


@freeze_time(NOW)
def test_the_options_given_are_kept(client: FlaskClient, file_sender: FileSender) -> None:
    value = file_value(filename="Résumé 2026.docx", confirm_email_before_download=False, retention_period="78 weeks")

    send_file(client, file_sender, value)

    document = db.session.execute(select(Document)).scalar_one()
    assert document.recipient_proof is None
    assert document.expires_at == NOW + timedelta(weeks=78)
    assert document.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_each_file_gets_its_own_document_and_key(client: FlaskClient, file_sender: FileSender) -> None:
    first = link_in(send_file(client, file_sender).get_json()["content"]["body"])
    second = link_in(send_file(client, file_sender).get_json()["content"]["body"])

    assert first.document_id != second.document_id
    assert first.key != second.key
    assert stored_document_count() == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (file_value(b"x" * (2 * 1024 * 1024 + 1)), "File is larger than 2MB"),
        ({"file": "%%%"}, "File is not base64 encoded"),
        (file_value(filename="../../etc/passwd"), "Unsupported file type './etc/passwd'."),
        (file_value(retention_period="79 weeks"), "Unsupported value for retention_period '79 weeks'."),
        (file_value(confirm_email_before_download="no"), "Unsupported value for confirm_email_before_download: 'no'."),
        (file_value(is_csv="yes"), "Unsupported value for is_csv: 'yes'."),
    ],
    ids=["too-big", "bad-base64", "bad-filename", "retention-over-78-weeks", "confirm-flag", "is-csv-flag"],
)
def test_a_file_breaking_a_rule_is_refused_and_nothing_is_stored(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path, value: dict[str, object], message: str
) -> None:
    response = send_file(client, file_sender, value)

    assert response.status_code == 400
    assert errors_of(response)[0]["message"].startswith(message)
    assert (stored_notification_count(), stored_document_count(), stored_files(documents_directory)) == (0, 0, [])


def test_a_send_refused_after_the_file_was_checked_stores_nothing(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    """The recipient check comes after the file is sealed: a trial service's outsider is refused."""
    restricted = create_file_sender()
    db.session.get_one(type(restricted.sender.service), restricted.sender.service.id).restricted = True
    db.session.commit()

    response = send_file(client, restricted)

    assert response.status_code == 400
    assert (stored_notification_count(), stored_document_count(), stored_files(documents_directory)) == (0, 0, [])


def test_a_service_without_a_contact_link_gets_notifys_message_and_nothing_is_stored(
    client: FlaskClient, notify_db_session: None, documents_directory: Path
) -> None:
    sender = create_file_sender(contact_link=None)

    response = send_file(client, sender)

    assert errors_of(response) == [
        {
            "error": "BadRequestError",
            "message": "Send files by email has not been set up - add contact details for your service at "
            f"https://www.notifications.service.gov.uk/services/{sender.sender.service.id}"
            "/service-settings/send-files-by-email",
        }
    ]
    assert (stored_notification_count(), stored_document_count(), stored_files(documents_directory)) == (0, 0, [])


def test_a_failed_enqueue_removes_the_stored_document(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.celery.task_queue.queue_task", MagicMock(side_effect=OSError("broker down")))

    response = send_file(client, file_sender)

    assert response.status_code == 500
    assert (stored_notification_count(), stored_document_count(), stored_files(documents_directory)) == (0, 0, [])


def test_a_smoke_test_recipient_gets_a_link_but_nothing_is_stored(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    response = send_file(client, file_sender, email_address="simulate-delivered@notifications.service.gov.uk")

    assert response.status_code == 201
    assert "/d/" in response.get_json()["content"]["body"]
    assert (stored_document_count(), stored_files(documents_directory)) == (0, [])


def test_a_repeated_idempotent_send_stores_one_document(client: FlaskClient, file_sender: FileSender) -> None:
    headers = (("Idempotency-Key", str(uuid.uuid4())),)

    first = send_file(client, file_sender, headers=headers)
    second = send_file(client, file_sender, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.get_json() == second.get_json()
    assert stored_document_count() == 1


def test_a_file_the_template_does_not_use_is_still_stored(client: FlaskClient, file_sender: FileSender) -> None:
    personalisation = {"name": "Jo", "body": "see attached", "unused": file_value()}
    body = email_body(file_sender.sender, personalisation=personalisation)
    response = post_send(client, file_sender.sender.api_key, "email", body)

    assert response.status_code == 201
    assert stored_document_count() == 1


def test_a_preview_with_a_file_shows_where_its_link_would_be(client: FlaskClient, file_sender: FileSender) -> None:
    sender = file_sender.sender
    response = client.post(
        f"/v2/template/{sender.email_template.id}/preview",
        json={"personalisation": {"name": "Jo", "body": file_value()}},
        headers=[service_auth_header(sender.api_key)],
    )

    assert response.get_json()["body"] == "Dear Jo,\n\n(a link to download the file)"
    assert stored_document_count() == 0


def test_the_file_is_never_in_the_stored_notification(client: FlaskClient, file_sender: FileSender) -> None:
    encoded = base64.b64encode(PDF_BYTES).decode()

    send_file(client, file_sender)

    stored = db.session.execute(select(Notification)).scalar_one()
    assert encoded not in str(stored.personalisation)


def test_the_html_email_links_the_whole_download_link(
    notify_api: Flask, client: FlaskClient, file_sender: FileSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "DOCUMENT_DOWNLOAD_BASE_URL", "https://documents.herald.example")
    body = send_file(client, file_sender).get_json()["content"]["body"]

    html = render_html_blocks(parse_markdown(body))

    link = link_in(body)
    assert link.url.startswith("https://documents.herald.example/d/")
    assert f'href="{link.url}">{link.url}</a>' in html


class FailingStore(LocalDocumentStore):
    """Stores the first document, then fails: a second file in the same send cannot be stored."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.directory = directory

    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, sealed: bytes) -> None:
        if stored_files(self.directory):
            raise OSError("store full")
        super().put(service_id, document_id, sealed)


def test_a_store_failing_part_way_leaves_no_document_and_no_notification(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FailingStore(documents_directory)
    monkeypatch.setattr("app.notifications.send_notification.document_store", lambda: store)
    personalisation = {"name": "Jo", "body": file_value(), "second": file_value()}

    response = post_send(
        client,
        file_sender.sender.api_key,
        "email",
        email_body(file_sender.sender, personalisation=personalisation),
    )

    assert response.status_code == 500
    assert (stored_notification_count(), stored_document_count(), stored_files(documents_directory)) == (0, 0, [])
