"""Where sealed documents are kept: one small interface, a local directory by default, an S3 bucket in production.

Stores hold only sealed bytes (`sealing.py`), named by the service's and the document's ids: UUIDs, never text a
client chose, so a name can never climb out of the directory or the bucket's prefix.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import current_app

from app.caches import AppObjectName, app_object

S3_TIMEOUT_SECONDS = 10
_MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


class DocumentMissingError(Exception):
    """The store holds nothing under that name (never stored, or deleted)."""


class DocumentStore(Protocol):
    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, sealed: bytes) -> None: ...

    def get(self, service_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
        """The sealed bytes. Raises DocumentMissingError."""
        ...

    def delete(self, service_id: uuid.UUID, document_id: uuid.UUID) -> None:
        """Remove the document; nothing happens when it is already gone."""
        ...


class LocalDocumentStore:
    """Files `<directory>/<service_id>/<document_id>`, written whole (a temporary file renamed into place), 0600."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._directory = Path(directory)

    def _path(self, service_id: uuid.UUID, document_id: uuid.UUID) -> Path:
        return self._directory / str(uuid.UUID(str(service_id))) / str(uuid.UUID(str(document_id)))

    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, sealed: bytes) -> None:
        path = self._path(service_id, document_id)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(sealed)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, service_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
        try:
            return self._path(service_id, document_id).read_bytes()
        except FileNotFoundError as error:
            raise DocumentMissingError(str(document_id)) from error

    def delete(self, service_id: uuid.UUID, document_id: uuid.UUID) -> None:
        self._path(service_id, document_id).unlink(missing_ok=True)


class S3DocumentStore:
    """Objects `<service_id>/<document_id>` in one bucket, through a boto3 client shared by every thread."""

    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket = bucket
        self._client = client

    @staticmethod
    def _key(service_id: uuid.UUID, document_id: uuid.UUID) -> str:
        return f"{uuid.UUID(str(service_id))}/{uuid.UUID(str(document_id))}"

    def put(self, service_id: uuid.UUID, document_id: uuid.UUID, sealed: bytes) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=self._key(service_id, document_id),
            Body=sealed,
            ContentType="application/octet-stream",
        )

    def get(self, service_id: uuid.UUID, document_id: uuid.UUID) -> bytes:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=self._key(service_id, document_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING_CODES:
                raise DocumentMissingError(str(document_id)) from error
            raise
        body: bytes = answer["Body"].read()
        return body

    def delete(self, service_id: uuid.UUID, document_id: uuid.UUID) -> None:
        self._client.delete_object(Bucket=self._bucket, Key=self._key(service_id, document_id))


_S3_CLIENT = AppObjectName[Any]("documents_s3_client")


def _s3_client() -> Any:
    config = current_app.config
    session = boto3.session.Session(
        aws_access_key_id=config["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=config["AWS_SECRET_ACCESS_KEY"],
        region_name=config["AWS_REGION"],
    )
    client_config = Config(
        connect_timeout=S3_TIMEOUT_SECONDS, read_timeout=S3_TIMEOUT_SECONDS, retries={"mode": "standard"}
    )
    return session.client("s3", endpoint_url=config["DOCUMENTS_S3_ENDPOINT_URL"] or None, config=client_config)


def document_store() -> DocumentStore:
    """The app's store: S3 when DOCUMENTS_BUCKET is set, else the local DOCUMENTS_DIRECTORY."""
    config = current_app.config
    if config["DOCUMENTS_BUCKET"]:
        return S3DocumentStore(config["DOCUMENTS_BUCKET"], app_object(_S3_CLIENT, _s3_client))
    return LocalDocumentStore(config["DOCUMENTS_DIRECTORY"])
