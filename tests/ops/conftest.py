"""Helpers for the operator console's tests: a signed-in test client."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.ops.sign_in import create_sign_in_link

LINK_TOKEN = re.compile(r"/ops/sign-in/([A-Za-z0-9_-]+)$")


def new_link_token(*, valid_seconds: int = 300) -> str:
    link = create_sign_in_link(base_url="http://herald.test", valid_seconds=valid_seconds, created_by="tests")
    found = LINK_TOKEN.search(link)
    assert found is not None
    return found.group(1)


def sign_in(client: FlaskClient) -> None:
    response = client.post("/ops/sign-in", data={"link_token": new_link_token()})
    assert response.status_code == 303


@pytest.fixture
def signed_in_client(notify_api: Flask, notify_db_session: None) -> FlaskClient:
    client = notify_api.test_client()
    sign_in(client)
    return client
