"""Fixtures for files sent by email: a document store of the test's own, and a service that may send files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.documents.sending import FileSender, create_file_sender


@pytest.fixture
def documents_directory(notify_api: Flask, tmp_path: Path) -> Iterator[Path]:
    """The local document store, in this test's own directory."""
    directory = tmp_path / "documents"
    previous = notify_api.config["DOCUMENTS_DIRECTORY"]
    notify_api.config["DOCUMENTS_DIRECTORY"] = str(directory)
    yield directory
    notify_api.config["DOCUMENTS_DIRECTORY"] = previous


@pytest.fixture
def file_sender(notify_db_session: None, documents_directory: Path) -> FileSender:
    return create_file_sender()
