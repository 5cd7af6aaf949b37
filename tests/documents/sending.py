"""Send a file by email through the real API, and read back what the send stored."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.extensions import db
from app.models import Document
from tests.v2.notifications.send_api import Sender, create_sender, email_body, post_send

CONTACT_LINK = "https://help.example.gov.uk/files"
RECIPIENT = "Someone@Example.com"
PDF_BYTES = b"%PDF-1.7\n% a small test file\n"


@dataclass(frozen=True)
class FileSender:
    sender: Sender


@dataclass(frozen=True)
class DocumentLink:
    url: str
    path: str
    service_id: uuid.UUID
    document_id: uuid.UUID
    key: str


def create_file_sender(*, contact_link: str | None = CONTACT_LINK) -> FileSender:
    return FileSender(create_sender(contact_link=contact_link))


def file_value(content: bytes = PDF_BYTES, **options: Any) -> dict[str, Any]:
    """What the official clients' `prepare_upload` sends (every option present, unset ones null)."""
    value: dict[str, Any] = {
        "file": base64.b64encode(content).decode(),
        "filename": None,
        "confirm_email_before_download": None,
        "retention_period": None,
    }
    value.update(options)
    return value


def send_file(
    client: FlaskClient,
    file_sender: FileSender,
    value: dict[str, Any] | None = None,
    *,
    email_address: str = RECIPIENT,
    headers: tuple[tuple[str, str], ...] = (),
) -> TestResponse:
    personalisation = {"name": "Jo", "body": value if value is not None else file_value()}
    body = email_body(file_sender.sender, personalisation=personalisation, email_address=email_address)
    return post_send(client, file_sender.sender.api_key, "email", body, headers=headers)


def link_in(text: str) -> DocumentLink:
    url = next(word for word in text.split() if "/d/" in word)
    parts = urlsplit(url)
    _, _, service_id, document_id = parts.path.split("/")
    return DocumentLink(
        url=url,
        path=f"{parts.path}?{parts.query}",
        service_id=uuid.UUID(service_id),
        document_id=uuid.UUID(document_id),
        key=parse_qs(parts.query)["key"][0],
    )


def stored_document_count() -> int:
    return db.session.execute(select(func.count()).select_from(Document)).scalar_one()
