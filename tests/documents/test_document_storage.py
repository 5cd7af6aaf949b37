"""Both document stores keep sealed bytes under the service's and the document's ids, and forget them on delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from flask import Flask
from moto import mock_aws

from app.documents.storage import (
    DocumentMissingError,
    DocumentStore,
    LocalDocumentStore,
    S3DocumentStore,
    document_store,
)

BUCKET = "herald-documents-test"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DocumentStore]:
    if request.param == "local":
        yield LocalDocumentStore(tmp_path)
        return
    with mock_aws():
        client = boto3.client(
            "s3", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield S3DocumentStore(BUCKET, client)


def test_a_stored_document_reads_back_the_same(store: DocumentStore) -> None:
    service_id, document_id = uuid.uuid4(), uuid.uuid4()

    store.put(service_id, document_id, b"sealed bytes")

    assert store.get(service_id, document_id) == b"sealed bytes"


def test_a_document_is_missing_under_another_service(store: DocumentStore) -> None:
    document_id = uuid.uuid4()
    store.put(uuid.uuid4(), document_id, b"sealed bytes")

    with pytest.raises(DocumentMissingError):
        store.get(uuid.uuid4(), document_id)


def test_a_deleted_document_is_missing_and_deleting_it_again_is_harmless(store: DocumentStore) -> None:
    service_id, document_id = uuid.uuid4(), uuid.uuid4()
    store.put(service_id, document_id, b"sealed bytes")

    store.delete(service_id, document_id)
    store.delete(service_id, document_id)

    with pytest.raises(DocumentMissingError):
        store.get(service_id, document_id)


def test_the_local_store_keeps_files_readable_by_their_owner_only(tmp_path: Path) -> None:
    service_id, document_id = uuid.uuid4(), uuid.uuid4()

    LocalDocumentStore(tmp_path).put(service_id, document_id, b"sealed bytes")

    path = tmp_path / str(service_id) / str(document_id)
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == [str(document_id)]


def test_the_local_store_refuses_a_name_that_is_not_an_id(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="badly formed"):
        LocalDocumentStore(tmp_path).put("../../etc", "passwd", b"x")  # type: ignore[arg-type]


def test_the_app_uses_s3_when_a_bucket_is_set(notify_api: Flask) -> None:
    with notify_api.test_request_context():
        notify_api.config["DOCUMENTS_BUCKET"] = BUCKET
        try:
            with mock_aws():
                chosen = document_store()
        finally:
            notify_api.config["DOCUMENTS_BUCKET"] = None
        local = document_store()

    assert (type(chosen), type(local)) == (S3DocumentStore, LocalDocumentStore)
