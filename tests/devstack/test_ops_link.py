"""`make ops-link` prints a sign-in link that opens the console of the Herald on the given database."""

from __future__ import annotations

import os

import pytest
from flask import Flask

from devstack.ops_link import print_sign_in_link


def test_the_printed_link_signs_a_browser_in(
    notify_api: Flask, notify_db_session: None, capfd: pytest.CaptureFixture[str]
) -> None:
    environment = {**os.environ, "DATABASE_URL": notify_api.config["DATABASE_URL"], "NOTIFY_ENVIRONMENT": "test"}

    status = print_sign_in_link(environment, api_url="http://127.0.0.1:6011")

    link = capfd.readouterr().out.strip()
    assert status == 0
    assert link.startswith("http://127.0.0.1:6011/ops/sign-in/")
    client = notify_api.test_client()
    assert client.post("/ops/sign-in", data={"link_token": link.rsplit("/", 1)[1]}).status_code == 303
    assert client.get("/ops").status_code == 200
