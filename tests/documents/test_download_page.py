"""The download page, through the Flask test client: the confirmation flow, every refusal with its page and
status, and the headers that keep the key and the file where they belong."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from werkzeug.test import TestResponse

from app.clients.statsd_client import StatsdClient
from app.clock import utc_now
from app.documents.expiry import delete_expired_documents
from app.documents.sealing import DocumentKey
from app.documents.storage import LocalDocumentStore
from app.extensions import db
from app.models import Service
from tests.clients.statsd_listener import STATSD_PREFIX, StatsdListener
from tests.documents.sending import (
    PDF_BYTES,
    DocumentLink,
    FileSender,
    file_value,
    link_in,
    send_file,
    stored_document_count,
)

FORM_COOKIE = "herald_document_form"


def sent_link(client: FlaskClient, file_sender: FileSender, **options: object) -> DocumentLink:
    response = send_file(client, file_sender, file_value(**options))
    assert response.status_code == 201
    return link_in(response.get_json()["content"]["body"])


def form_token(page: TestResponse) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.get_data(as_text=True))
    assert match is not None
    return match.group(1)


def confirm(client: FlaskClient, link: DocumentLink, address: str) -> TestResponse:
    page = client.get(link.path)
    return client.post(link.path, data={"email_address": address, "form_token": form_token(page)})


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


# Without confirmation


def test_a_file_without_confirmation_has_a_download_link_on_its_page(
    client: FlaskClient, file_sender: FileSender
) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False)

    page = client.get(link.path)

    assert page.status_code == 200
    assert page.content_type == "text/html; charset=utf-8"
    assert '<html lang="en">' in text_of(page)
    assert f'href="/d/{link.service_id}/{link.document_id}/download?key={link.key}"' in text_of(page)
    assert 'href="https://help.example.gov.uk/files"' in text_of(page)


def test_the_download_link_serves_the_file_as_an_attachment(client: FlaskClient, file_sender: FileSender) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False, filename="Your letter.pdf")

    response = client.get(f"/d/{link.service_id}/{link.document_id}/download?key={link.key}")

    assert response.status_code == 200
    assert response.data == PDF_BYTES
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"Your letter.pdf\"; filename*=UTF-8''Your%20letter.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_a_csv_is_served_as_utf8_text_csv(client: FlaskClient, file_sender: FileSender) -> None:
    link = link_in(send_file(client, file_sender, file_value(b"a,b\n1,2\n", is_csv=True)).get_json()["content"]["body"])

    served = confirm(client, link, "someone@example.com")

    assert (served.status_code, served.headers["Content-Type"], served.data) == (
        200,
        "text/csv; charset=utf-8",
        b"a,b\n1,2\n",
    )
    assert served.headers["Content-Disposition"].startswith('attachment; filename="file.csv"')


# With confirmation


def test_a_file_with_confirmation_asks_for_the_email_address_first(
    client: FlaskClient, file_sender: FileSender
) -> None:
    link = sent_link(client, file_sender)

    page = client.get(link.path)

    html = text_of(page)
    assert page.status_code == 200
    assert '<label for="email_address">Email address</label>' in html
    assert 'id="email_address" name="email_address"' in html
    assert "/download" not in html
    assert FORM_COOKIE in page.headers["Set-Cookie"]
    assert "HttpOnly" in page.headers["Set-Cookie"]
    assert "SameSite=Strict" in page.headers["Set-Cookie"]
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]


def test_the_form_s_cookie_is_secure_when_links_are_https(
    notify_api: Flask, client: FlaskClient, file_sender: FileSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "DOCUMENT_DOWNLOAD_BASE_URL", "https://documents.herald.example")
    link = sent_link(client, file_sender)

    page = client.get(link.path)

    assert "Secure" in page.headers["Set-Cookie"]


def test_the_recipient_s_address_in_any_case_and_spacing_releases_the_file(
    client: FlaskClient,
    file_sender: FileSender,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    link = sent_link(client, file_sender)
    statsd_listener.receive_all()

    response = confirm(client, link, "  SOMEONE@example.COM ")

    assert (response.status_code, response.data) == (200, PDF_BYTES)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"{STATSD_PREFIX}.documents.download:1|c" in statsd_listener.receive_all()


def test_a_wrong_address_gets_the_form_again_with_an_error_linked_to_the_field(
    client: FlaskClient,
    file_sender: FileSender,
    installed_statsd_client: StatsdClient,
    statsd_listener: StatsdListener,
) -> None:
    link = sent_link(client, file_sender)

    response = confirm(client, link, "someone.else@example.com")

    html = text_of(response)
    assert response.status_code == 400
    assert response.content_type == "text/html; charset=utf-8"
    assert "<title>Error: Confirm your email address</title>" in html
    assert '<a href="#email_address">Enter the email address this file was sent to</a>' in html
    assert 'aria-describedby="email_address-hint email_address-error"' in html
    assert PDF_BYTES not in response.data
    assert f"{STATSD_PREFIX}.documents.confirmation-failed:1|c" in statsd_listener.receive_all()


def test_the_download_link_of_a_file_needing_confirmation_goes_back_to_the_form(
    client: FlaskClient, file_sender: FileSender
) -> None:
    link = sent_link(client, file_sender)

    response = client.get(f"/d/{link.service_id}/{link.document_id}/download?key={link.key}")

    assert response.status_code == 303
    assert response.headers["Location"] == link.path


@pytest.mark.parametrize("token", ["", "x" * 43, None], ids=["empty", "other", "missing"])
def test_a_post_without_the_form_s_token_releases_nothing(
    client: FlaskClient, file_sender: FileSender, token: str | None
) -> None:
    link = sent_link(client, file_sender)
    client.get(link.path)
    data = {"email_address": "someone@example.com"} | ({} if token is None else {"form_token": token})

    response = client.post(link.path, data=data)

    assert response.status_code == 400
    assert "Your answer could not be checked" in text_of(response)
    assert PDF_BYTES not in response.data


def test_after_too_many_wrong_addresses_even_the_right_one_is_refused(
    notify_api: Flask, client: FlaskClient, file_sender: FileSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "DOCUMENT_CONFIRM_MAX_ATTEMPTS", 3)
    link = sent_link(client, file_sender)
    wrong = [confirm(client, link, f"guess{attempt}@example.com").status_code for attempt in range(3)]

    response = confirm(client, link, "someone@example.com")

    assert wrong == [400, 400, 400]
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3600"
    assert "Too many attempts" in text_of(response)
    assert PDF_BYTES not in response.data


def test_another_document_s_wrong_addresses_do_not_count(
    notify_api: Flask, client: FlaskClient, file_sender: FileSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(notify_api.config, "DOCUMENT_CONFIRM_MAX_ATTEMPTS", 1)
    guessed, other = sent_link(client, file_sender), sent_link(client, file_sender)
    confirm(client, guessed, "guess@example.com")

    assert confirm(client, other, "someone@example.com").status_code == 200


def test_an_overlong_form_is_refused_before_it_is_read(client: FlaskClient, file_sender: FileSender) -> None:
    link = sent_link(client, file_sender)

    response = client.post(link.path, data={"email_address": "a" * 10_000, "form_token": "x"})

    assert response.status_code == 413
    assert response.content_type == "text/html; charset=utf-8"


# Links that do not work


def test_an_expired_file_gets_gone(client: FlaskClient, file_sender: FileSender) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False, retention_period="2 weeks")

    with freeze_time(utc_now() + timedelta(weeks=2)):
        response = client.get(link.path)

    assert response.status_code == 410
    assert "This file is no longer available" in text_of(response)


def test_a_file_deleted_by_the_retention_task_is_not_found(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False, retention_period="1 week")

    deleted = delete_expired_documents(
        LocalDocumentStore(documents_directory), now=utc_now() + timedelta(weeks=1), batch_size=10
    )

    response = client.get(link.path)
    assert (deleted, stored_document_count()) == (1, 0)
    assert response.status_code == 404
    assert "The file is not available" in text_of(response)


def test_a_file_whose_content_is_gone_is_gone(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False)
    LocalDocumentStore(documents_directory).delete(link.service_id, link.document_id)

    response = client.get(f"/d/{link.service_id}/{link.document_id}/download?key={link.key}")

    assert response.status_code == 410


@pytest.mark.parametrize(
    "key",
    [DocumentKey.generate().for_link(), "", "short", "A" * 43 + "=="],
    ids=["another-document-s-key", "empty", "short", "padded"],
)
def test_a_wrong_key_gets_a_link_that_does_not_work(client: FlaskClient, file_sender: FileSender, key: str) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False)

    responses = [
        client.get(f"/d/{link.service_id}/{link.document_id}{suffix}?key={key}") for suffix in ("", "/download")
    ]

    assert [response.status_code for response in responses] == [404, 404]
    assert all("This link does not work" in text_of(response) for response in responses)
    assert all(PDF_BYTES not in response.data for response in responses)


def test_another_service_s_id_finds_nothing(client: FlaskClient, file_sender: FileSender) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False)

    response = client.get(f"/d/{uuid.uuid4()}/{link.document_id}?key={link.key}")

    assert response.status_code == 404
    assert "The file is not available" in text_of(response)


@pytest.mark.parametrize(
    "path",
    [
        "/d/{service_id}/..%2F..%2F..%2Fetc%2Fpasswd?key={key}",
        "/d/..%2F{service_id}/{document_id}?key={key}",
        "/d/{service_id}/{upper_document_id}?key={key}",
        "/d/{service_id}/{{{document_id}}}?key={key}",
        "/d/{service_id}/{document_id}%00?key={key}",
    ],
    ids=["encoded-dots-in-document", "encoded-dots-in-service", "upper-case", "braces", "nul"],
)
def test_ids_that_are_not_canonical_uuids_get_a_link_that_does_not_work(
    client: FlaskClient, file_sender: FileSender, path: str
) -> None:
    link = sent_link(client, file_sender, confirm_email_before_download=False)
    url = path.format(
        service_id=link.service_id,
        document_id=link.document_id,
        upper_document_id=str(link.document_id).upper(),
        key=link.key,
    )

    response = client.get(url)

    assert response.status_code == 404
    assert "This link does not work" in text_of(response)


def test_the_page_escapes_the_service_s_name(client: FlaskClient, file_sender: FileSender) -> None:
    db.session.get_one(Service, file_sender.sender.service.id).name = "<script>alert(1)</script>"
    db.session.commit()
    link = sent_link(client, file_sender)

    html = text_of(client.get(link.path))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
