"""Letter PDFs kept in local files or an S3 bucket (moto), under Notify's file names only."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from app.letters.pdf_store import (
    LetterPdfNotFoundError,
    LocalLetterPdfStore,
    S3LetterPdfStore,
    letter_pdf_store,
)

NAME = "2026-06-05/NOTIFY.ABCDEFGHIJ123456.D.2.C.20260605100000.PDF"


def test_a_local_store_keeps_reads_and_deletes_a_pdf(tmp_path: Path) -> None:
    store = LocalLetterPdfStore(tmp_path)

    store.put(NAME, b"%PDF-1.4 letter")

    assert store.get(NAME) == b"%PDF-1.4 letter"
    store.delete(NAME)
    with pytest.raises(LetterPdfNotFoundError):
        store.get(NAME)


@pytest.mark.parametrize("name", ["../../etc/passwd", "2026-06-05/../../x.PDF", "/abs/NOTIFY.A.D.2.C.1.PDF", ""])
def test_a_name_that_is_not_a_letter_file_name_is_refused(tmp_path: Path, name: str) -> None:
    store = LocalLetterPdfStore(tmp_path)

    with pytest.raises(ValueError, match="not a letter PDF name"):
        store.put(name, b"x")


@mock_aws
def test_an_s3_store_keeps_and_reads_a_pdf() -> None:
    client = boto3.client("s3", region_name="eu-west-1")
    client.create_bucket(Bucket="letters", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    store = S3LetterPdfStore("letters", client)

    store.put(NAME, b"%PDF-1.4 letter")

    assert store.get(NAME) == b"%PDF-1.4 letter"
    assert client.head_object(Bucket="letters", Key=NAME)["ContentType"] == "application/pdf"
    with pytest.raises(LetterPdfNotFoundError):
        store.get(NAME.replace("ABCDEFGHIJ", "ZZZZZZZZZZ"))


@mock_aws
def test_the_settings_choose_s3() -> None:
    config = {
        "LETTERS_PDF_STORE": "s3",
        "LETTERS_PDF_BUCKET_NAME": "letters",
        "AWS_REGION": "eu-west-1",
        "LETTERS_S3_ENDPOINT_URL": None,
    }

    store = letter_pdf_store(config)

    assert isinstance(store, S3LetterPdfStore)
    assert store.bucket_name == "letters"
