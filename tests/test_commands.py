"""The seed-demo command is idempotent and writes usable credentials."""

from __future__ import annotations

import json
import uuid
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


def test_seed_demo_sets_up_the_letter_template_as_notifys_functional_test_service(
    notify_api: Flask, notify_db_session: None, tmp_path: Path
) -> None:
    from app.dao.services_dao import dao_list_service_permissions
    from app.dao.templates_dao import dao_get_template_version
    from app.v2.template.serialise_template import serialise_template

    details = seed_demo(tmp_path / "demo.json")

    service_id = uuid.UUID(str(details["service_id"]))
    template_id = details["templates"]["letter"]  # type: ignore[index]
    version_1 = serialise_template(dao_get_template_version(service_id, template_id, 1))
    version_2 = serialise_template(dao_get_template_version(service_id, template_id, 2))
    assert "letter" in dao_list_service_permissions(service_id)
    assert (version_1["name"], version_1["subject"], version_1["body"], version_1["postage"]) == (
        "Untitled",
        "Main heading",
        "Body",
        "second",
    )
    assert version_1["letter_contact_block"] is None
    assert (version_2["name"], version_2["body"], version_2["subject"]) == (
        "Client functional letter template",
        "Hello ((address_line_1))",
        "Main heading",
    )
    assert version_2["letter_contact_block"] == (
        "Government Digital Service\nThe White Chapel Building\n10 Whitechapel High Street\nLondon\nE1 8QS\n"
        "United Kingdom"
    )
