"""The print provider, mocked at its HTTP edge (letter PDFs get a fresh directory per test: tests/conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
import responses
from flask import Flask

from app.letters.print_client import PRINT_CLIENT

PRINT_API_URL = "https://print.example"


@pytest.fixture
def print_provider(notify_api: Flask) -> Iterator[responses.RequestsMock]:
    """The print API, mocked: authentication answers a token; each test registers the print answer it needs."""
    previous = notify_api.config["DVLA_API_BASE_URL"]
    notify_api.config["DVLA_API_BASE_URL"] = PRINT_API_URL
    notify_api.extensions.pop(PRINT_CLIENT.name, None)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        token = jwt.encode({"exp": int(time.time()) + 3600}, "the-print-providers-own-signing-secret", "HS256")
        mock.post(f"{PRINT_API_URL}/thirdparty-access/v1/authenticate", json={"id-token": token})
        yield mock
    notify_api.extensions.pop(PRINT_CLIENT.name, None)
    notify_api.config["DVLA_API_BASE_URL"] = previous
