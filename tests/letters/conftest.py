"""Letter PDFs go to a fresh directory per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask


@pytest.fixture
def letters_directory(notify_api: Flask, tmp_path: Path) -> Iterator[Path]:
    previous = notify_api.config["LETTERS_PDF_STORE"], notify_api.config["LETTERS_PDF_DIRECTORY"]
    notify_api.config.update(LETTERS_PDF_STORE="local", LETTERS_PDF_DIRECTORY=str(tmp_path))
    yield tmp_path
    notify_api.config["LETTERS_PDF_STORE"], notify_api.config["LETTERS_PDF_DIRECTORY"] = previous
