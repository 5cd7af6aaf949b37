"""The beat task that deletes files sent by email once their retention has ended."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.celery.scheduled_tasks import delete_expired_documents
from app.clock import utc_now
from app.documents import expiry
from app.extensions import db
from app.models import Document
from tests.documents.sending import FileSender, file_value, link_in, send_file


def send_kept_for(client: FlaskClient, file_sender: FileSender, weeks: int) -> str:
    response = send_file(client, file_sender, file_value(retention_period=f"{weeks} weeks"))
    return str(link_in(response.get_json()["content"]["body"]).document_id)


def stored_ids(directory: Path) -> set[str]:
    return {path.name for path in directory.rglob("*") if path.is_file()}


def test_the_task_deletes_expired_documents_and_their_files_only(
    client: FlaskClient, file_sender: FileSender, documents_directory: Path
) -> None:
    short, long = send_kept_for(client, file_sender, 1), send_kept_for(client, file_sender, 2)

    with freeze_time(utc_now() + timedelta(weeks=1, seconds=1)):
        deleted = delete_expired_documents()

    assert deleted == 1
    assert {str(row) for row in db.session.execute(select(Document.id)).scalars()} == {long}
    assert stored_ids(documents_directory) == {long}
    assert short not in stored_ids(documents_directory)


def test_the_task_works_through_every_batch(client: FlaskClient, file_sender: FileSender) -> None:
    for _ in range(5):
        send_kept_for(client, file_sender, 1)

    deleted = expiry.delete_expired_documents(MagicMock(), now=utc_now() + timedelta(weeks=1), batch_size=2)

    assert deleted == 5
    assert db.session.execute(select(Document.id)).first() is None


def test_a_store_that_fails_keeps_the_rows_for_the_next_run(client: FlaskClient, file_sender: FileSender) -> None:
    send_kept_for(client, file_sender, 1)
    store = MagicMock()
    store.delete.side_effect = OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        expiry.delete_expired_documents(store, now=utc_now() + timedelta(weeks=1), batch_size=10)

    assert len(db.session.execute(select(Document.id)).all()) == 1
