"""Where letter PDFs are kept: local files (the default) or an S3 bucket, behind one small interface.

A letter's file is named as Notify names it (letters.md §7.5): `<print day>/NOTIFY.<REFERENCE>.D.<class>.C.<created
at>.PDF`, so the print provider reads one folder per print run. A test key's letters are never printed: they live
under `test/` instead of a print-day folder.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from app.models import KeyType, LetterPostage

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
TEST_LETTERS_FOLDER = "test"
# A precompiled letter's upload waits in `scan/` until it passed the virus scan and the checks (never printed from
# there); a refused one is kept in `invalid/`, where GET .../pdf finds it (letters.md §3.2, §4).
SCAN_FOLDER = "scan"
INVALID_FOLDER = "invalid"
# A letter created after 17:30 London time misses that day's print run: 6 h 30 min later is the next day.
PRINT_DAY_OFFSET = timedelta(hours=6, minutes=30)
POSTAGE_CLASS_IN_FILE_NAME = {
    LetterPostage.FIRST: "1",
    LetterPostage.SECOND: "2",
    LetterPostage.ECONOMY: "ECONOMY",
    LetterPostage.EUROPE: "E",
    LetterPostage.REST_OF_WORLD: "N",
}
_SAFE_NAME = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|test|scan|invalid)/NOTIFY\.[A-Z0-9]{1,50}\.D\.[A-Z0-9]{1,7}\.C\.[0-9]{14}\.PDF"
)


class LetterPdfNotFoundError(Exception):
    """No PDF is stored under that name (not made yet, or deleted)."""


class LetterPdfStoreError(Exception):
    """The store could not be reached or refused the request."""


@dataclass(frozen=True)
class LetterFile:
    """What names a letter's PDF: its 16-character reference, postage, creation time and key type."""

    reference: str
    postage: str
    created_at: datetime
    key_type: str

    @property
    def name(self) -> str:
        folder = TEST_LETTERS_FOLDER if self.key_type == KeyType.TEST else print_day_folder(self.created_at)
        return f"{folder}/{self.file_name}"

    @property
    def file_name(self) -> str:
        postage_class = POSTAGE_CLASS_IN_FILE_NAME[LetterPostage(self.postage)]
        stamp = self.created_at.astimezone(ZoneInfo("UTC")).strftime("%Y%m%d%H%M%S")
        return f"NOTIFY.{self.reference}.D.{postage_class}.C.{stamp}.PDF".upper()

    @property
    def scan_name(self) -> str:
        return f"{SCAN_FOLDER}/{self.file_name}"

    @property
    def invalid_name(self) -> str:
        return f"{INVALID_FOLDER}/{self.file_name}"


def print_day_folder(created_at: datetime) -> str:
    """The print run a letter goes out in, as its folder: its London date, the next day after 17:30."""
    return (created_at.astimezone(LONDON) + PRINT_DAY_OFFSET).strftime("%Y-%m-%d")


class LetterPdfStore(Protocol):
    def put(self, name: str, pdf: bytes) -> None: ...

    def get(self, name: str) -> bytes:
        """Raises LetterPdfNotFoundError, or LetterPdfStoreError when the store cannot answer."""
        ...

    def delete(self, name: str) -> None:
        """Remove the file; nothing happens when there is none."""
        ...


def _checked(name: str) -> str:
    """Names come from LetterFile; anything else (a path trick) is refused before it reaches a disk or a bucket."""
    if not _SAFE_NAME.fullmatch(name):
        raise ValueError("not a letter PDF name")
    return name


class LocalLetterPdfStore:
    """Files under a directory; written to a temporary file first, then renamed, so a reader never sees half."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def put(self, name: str, pdf: bytes) -> None:
        path = self.directory / _checked(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as partial:
            partial.write(pdf)
        os.replace(partial.name, path)

    def get(self, name: str) -> bytes:
        try:
            return (self.directory / _checked(name)).read_bytes()
        except FileNotFoundError as error:
            raise LetterPdfNotFoundError(name) from error
        except OSError as error:
            raise LetterPdfStoreError(str(error)) from error

    def delete(self, name: str) -> None:
        (self.directory / _checked(name)).unlink(missing_ok=True)


class S3LetterPdfStore:
    def __init__(self, bucket_name: str, client: Any) -> None:
        self.bucket_name = bucket_name
        self.client = client

    def put(self, name: str, pdf: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket_name, Key=_checked(name), Body=pdf, ContentType="application/pdf")
        except (BotoCoreError, ClientError) as error:
            raise LetterPdfStoreError("could not store the letter PDF") from error

    def get(self, name: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket_name, Key=_checked(name))
            body: bytes = answer["Body"].read()
            return body
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise LetterPdfNotFoundError(name) from error
            raise LetterPdfStoreError("could not read the letter PDF") from error
        except BotoCoreError as error:
            raise LetterPdfStoreError("could not read the letter PDF") from error

    def delete(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket_name, Key=_checked(name))
        except (BotoCoreError, ClientError) as error:
            raise LetterPdfStoreError("could not delete the letter PDF") from error


def letter_pdf_store(config: Any) -> LetterPdfStore:
    """The store the settings name (LETTERS_PDF_STORE)."""
    if config["LETTERS_PDF_STORE"] == "s3":
        client = boto3.client(
            "s3", region_name=config["AWS_REGION"], endpoint_url=config["LETTERS_S3_ENDPOINT_URL"] or None
        )
        return S3LetterPdfStore(config["LETTERS_PDF_BUCKET_NAME"], client)
    return LocalLetterPdfStore(config["LETTERS_PDF_DIRECTORY"])
