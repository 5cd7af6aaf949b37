"""seed-functional-test-service sets up the service the official clients' own integration tests expect, idempotently."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from flask import Flask

from app.clock import utc_now
from app.dao.api_key_dao import dao_list_api_keys
from app.dao.inbound_numbers_dao import dao_find_inbound_number_for_service
from app.dao.inbound_sms_dao import dao_list_inbound_sms_for_service
from app.dao.services_dao import (
    dao_get_email_reply_to_by_id,
    dao_get_service_by_id,
    dao_get_sms_sender_by_id,
    dao_list_guest_list,
    dao_list_service_permissions,
)
from app.dao.templates_dao import dao_get_template_by_id, dao_get_template_version
from app.functional_test_service import seed_functional_test_service, seed_functional_test_service_command


def _service_id(environment: dict[str, str]) -> uuid.UUID:
    return uuid.UUID(environment["API_KEY"][-73:-37])


def test_seeding_twice_gives_the_same_service_keys_templates_and_one_inbound_text(
    notify_api: Flask, notify_db_session: None
) -> None:
    first = seed_functional_test_service()
    second = seed_functional_test_service()

    assert first == second
    service_id = _service_id(first)
    assert first["API_SENDING_KEY"][-73:-37] == first["INBOUND_SMS_QUERY_KEY"][-73:-37] == str(service_id)
    assert sorted(key.key_type for key in dao_list_api_keys(service_id)) == ["normal", "normal", "team"]
    assert len(dao_list_inbound_sms_for_service(service_id, limit=10, created_since=utc_now().replace(year=2000))) == 1
    assert first["NOTIFY_API_URL"] == notify_api.config["API_HOST_NAME"]


def test_the_service_is_live_with_the_guest_list_inbound_number_and_permissions_the_tests_need(
    notify_api: Flask, notify_db_session: None
) -> None:
    environment = seed_functional_test_service()

    service_id = _service_id(environment)
    service = dao_get_service_by_id(service_id)
    assert service.restricted is False
    assert service.contact_link  # sending files by email needs one
    assert {"sms", "email", "letter", "inbound_sms"} <= set(dao_list_service_permissions(service_id))
    assert {(entry.recipient_type, entry.recipient) for entry in dao_list_guest_list(service_id)} == {
        ("mobile", "447700900123"),
        ("email", environment["FUNCTIONAL_TEST_EMAIL"]),
    }
    inbound_number = dao_find_inbound_number_for_service(service_id)
    assert inbound_number is not None
    assert inbound_number.active
    sender = dao_get_sms_sender_by_id(service_id, environment["SMS_SENDER_ID"])
    reply_to = dao_get_email_reply_to_by_id(service_id, environment["EMAIL_REPLY_TO_ID"])
    assert (sender.is_default, reply_to.is_default) == (False, False)


def test_the_templates_carry_the_names_bodies_and_versions_the_clients_check(
    notify_api: Flask, notify_db_session: None
) -> None:
    environment = seed_functional_test_service()

    service_id = _service_id(environment)
    sms = dao_get_template_by_id(service_id, environment["SMS_TEMPLATE_ID"])
    sms_first = dao_get_template_version(service_id, environment["SMS_TEMPLATE_ID"], 1)
    email = dao_get_template_by_id(service_id, environment["EMAIL_TEMPLATE_ID"])
    assert (sms.name, sms.version, sms_first.name) == (
        "Client Functional test sms template",
        2,
        "Example text message template",
    )
    assert sms.content == "Hello ((name))\n\nFunctional Tests make our world a better place"
    assert (email.name, email.version, email.subject) == (
        "Client Functional test email template",
        1,
        "Functional Tests are good",
    )
    assert email.content == "Hello ((name))\r\n\r\nFunctional test help make our world a better place"


def test_the_command_writes_the_environment_for_its_owner_only(
    notify_api: Flask, notify_db_session: None, tmp_path: Path
) -> None:
    output = tmp_path / "functional-test-service.json"

    result = notify_api.test_cli_runner().invoke(seed_functional_test_service_command, ["--output", str(output)])

    assert result.exit_code == 0, result.output
    assert "API_KEY" not in result.output
    assert output.stat().st_mode & 0o777 == 0o600
    assert set(json.loads(output.read_text())) >= {"NOTIFY_API_URL", "API_KEY", "API_SENDING_KEY", "SMS_TEMPLATE_ID"}


def test_the_command_prints_shell_exports_when_asked(notify_api: Flask, notify_db_session: None) -> None:
    result = notify_api.test_cli_runner().invoke(seed_functional_test_service_command, ["--output", "-"])

    assert result.exit_code == 0, result.output
    assert "export FUNCTIONAL_TEST_NUMBER='07700900123'" in result.output.splitlines()


def test_the_letter_template_has_two_versions_and_the_gds_contact_block_on_the_second(
    notify_api: Flask, notify_db_session: None
) -> None:
    from app.v2.template.serialise_template import serialise_template

    environment = seed_functional_test_service()

    service_id = _service_id(environment)
    first = serialise_template(dao_get_template_version(service_id, environment["LETTER_TEMPLATE_ID"], 1))
    second = serialise_template(dao_get_template_version(service_id, environment["LETTER_TEMPLATE_ID"], 2))
    assert (first["name"], first["subject"], first["body"], first["postage"], first["letter_contact_block"]) == (
        "Untitled",
        "Main heading",
        "Body",
        "second",
        None,
    )
    assert (second["name"], second["subject"], second["body"]) == (
        "Client functional letter template",
        "Main heading",
        "Hello ((address_line_1))",
    )
    assert second["letter_contact_block"] == (
        "Government Digital Service\nThe White Chapel Building\n10 Whitechapel High Street\nLondon\nE1 8QS\n"
        "United Kingdom"
    )
