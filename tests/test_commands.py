"""The seed-demo command is idempotent and writes usable credentials."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from app.commands import seed_demo


def test_seed_demo_twice_gives_the_same_service_keys_and_templates(
    notify_api: Flask, notify_db_session: None, tmp_path: Path
) -> None:
    first = seed_demo(tmp_path / "demo.json")
    second = seed_demo(tmp_path / "demo.json")

    assert first == second
    written = json.loads((tmp_path / "demo.json").read_text())
    assert set(written) == {
        "api_url",
        "service_id",
        "api_keys",
        "templates",
        "sms_sender_id",
        "email_reply_to_id",
        "admin_client_id",
        "admin_client_secret",
    }
    assert set(written["api_keys"]) == {"normal", "team", "test"}
    assert written["api_keys"]["normal"][-73:-37] == written["service_id"]
