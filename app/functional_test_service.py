"""A service set up as GOV.UK Notify's functional-test service, so the official clients' own integration tests
(notifications-python-client's `integration_test/`, notifications-node-client's `spec/integration/test.js`) run
unchanged against Herald.

Those tests read their service from environment variables (`API_KEY`, `SMS_TEMPLATE_ID`, …) and check exact
template names, bodies and versions; `seed_functional_test_service` builds that service idempotently and returns the
variables.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.admin.api_keys.rest import full_key_string
from app.admin.services.management import create_service, replace_guest_list, update_service
from app.clock import utc_now
from app.dao.api_key_dao import dao_create_api_key
from app.dao.inbound_numbers_dao import dao_assign_inbound_number
from app.dao.inbound_sms_dao import dao_create_inbound_sms, dao_list_inbound_sms_for_service
from app.dao.letter_contacts_dao import dao_create_letter_contact, dao_list_letter_contacts
from app.dao.services_dao import (
    dao_create_email_reply_to,
    dao_create_sms_sender,
    dao_list_email_reply_tos,
    dao_list_service_permissions,
    dao_list_sms_senders,
)
from app.dao.templates_dao import dao_create_template, dao_update_template
from app.extensions import db
from app.models import ApiKey, KeyType, Service, Template

SERVICE_NAME = "Client functional tests"
PERMISSIONS = ("sms", "email", "letter", "international_sms", "inbound_sms")
# Sending files by email needs a contact link on the service (the download page shows it).
CONTACT_LINK = "https://www.herald.example/contact"

# Recipients on the guest list: the tests send with a team key too. Fictional numbers (Ofcom's 07700 900xxx drama
# range), none of them a simulated "smoke test" recipient, which would not be stored and so could not be read back.
FUNCTIONAL_TEST_NUMBER = "07700900123"
FUNCTIONAL_TEST_EMAIL = "client-functional-tests@herald.example"
INBOUND_NUMBER = "07700900500"
INBOUND_PROVIDER = "mmg"
INBOUND_MESSAGE = "A reply to the functional-test service"

DEFAULT_SMS_SENDER = "HERALD"
NAMED_SMS_SENDER = "Functional"
DEFAULT_REPLY_TO = "functional-tests@herald.example"
NAMED_REPLY_TO = "functional-tests-reply-to@herald.example"

# The exact values the clients' tests assert on. The text message template's first version had another name; the
# email body has Windows line endings, as a template saved from a web form does.
SMS_TEMPLATE_FIRST_NAME = "Example text message template"
SMS_TEMPLATE_NAME = "Client Functional test sms template"
SMS_TEMPLATE_CONTENT = "Hello ((name))\n\nFunctional Tests make our world a better place"
EMAIL_TEMPLATE_NAME = "Client Functional test email template"
EMAIL_TEMPLATE_SUBJECT = "Functional Tests are good"
EMAIL_TEMPLATE_CONTENT = "Hello ((name))\r\n\r\nFunctional test help make our world a better place"
# The letter template's first version is a new, untitled letter without a contact block; the second is the clients'
# template, with the service's default contact block (letters.md §7.2).
LETTER_CONTACT_BLOCK = (
    "Government Digital Service\nThe White Chapel Building\n10 Whitechapel High Street\nLondon\nE1 8QS\nUnited Kingdom"
)
LETTER_TEMPLATE_FIRST_NAME = "Untitled"
LETTER_TEMPLATE_NAME = "Client functional letter template"


def seed_functional_test_service() -> dict[str, str]:
    """Create (or bring up to date) the functional-test service; return the environment its tests read."""
    service = _service()
    replace_guest_list(service.id, email_addresses=[FUNCTIONAL_TEST_EMAIL], phone_numbers=[FUNCTIONAL_TEST_NUMBER])
    dao_assign_inbound_number(service.id, number=INBOUND_NUMBER, provider=INBOUND_PROVIDER)
    _ensure_a_recent_inbound_sms(service)
    return {
        "NOTIFY_API_URL": current_app.config["API_HOST_NAME"],
        "FUNCTIONAL_TEST_NUMBER": FUNCTIONAL_TEST_NUMBER,
        "FUNCTIONAL_TEST_EMAIL": FUNCTIONAL_TEST_EMAIL,
        "API_KEY": _api_key(service, "functional tests live", KeyType.NORMAL),
        "API_SENDING_KEY": _api_key(service, "functional tests team", KeyType.TEAM),
        "INBOUND_SMS_QUERY_KEY": _api_key(service, "functional tests inbound", KeyType.NORMAL),
        "SMS_TEMPLATE_ID": _sms_template(service),
        "EMAIL_TEMPLATE_ID": _email_template(service),
        "LETTER_TEMPLATE_ID": _letter_template(service),
        "SMS_SENDER_ID": _sms_sender(service),
        "EMAIL_REPLY_TO_ID": _email_reply_to(service),
    }


def _service() -> Service:
    service = db.session.execute(select(Service).where(Service.name == SERVICE_NAME)).scalar_one_or_none()
    if service is None:
        return create_service(
            name=SERVICE_NAME,
            restricted=False,
            permissions=list(PERMISSIONS),
            email_sender_local_part="client.functional.tests",
            contact_link=CONTACT_LINK,
        )
    current_permissions = set(dao_list_service_permissions(service.id))
    if service.restricted or service.contact_link != CONTACT_LINK or not current_permissions >= set(PERMISSIONS):
        permissions = sorted(current_permissions | set(PERMISSIONS))
        update_service(service, restricted=False, contact_link=CONTACT_LINK, permissions=permissions)
    return service


def _api_key(service: Service, name: str, key_type: KeyType) -> str:
    api_key = db.session.execute(
        select(ApiKey).where(ApiKey.service_id == service.id, ApiKey.name == name, ApiKey.expiry_date.is_(None))
    ).scalar_one_or_none()
    if api_key is None:
        api_key = dao_create_api_key(service.id, name=name, key_type=key_type.value)
    return full_key_string(api_key)


def _template_named(service: Service, name: str) -> Template | None:
    return db.session.execute(
        select(Template).where(Template.service_id == service.id, Template.name == name)
    ).scalar_one_or_none()


def _sms_template(service: Service) -> str:
    template = _template_named(service, SMS_TEMPLATE_NAME)
    if template is None:
        template = dao_create_template(
            service.id, name=SMS_TEMPLATE_FIRST_NAME, template_type="sms", content=SMS_TEMPLATE_CONTENT
        )
        dao_update_template(template, name=SMS_TEMPLATE_NAME)
    return str(template.id)


def _email_template(service: Service) -> str:
    template = _template_named(service, EMAIL_TEMPLATE_NAME) or dao_create_template(
        service.id,
        name=EMAIL_TEMPLATE_NAME,
        template_type="email",
        content=EMAIL_TEMPLATE_CONTENT,
        subject=EMAIL_TEMPLATE_SUBJECT,
    )
    return str(template.id)


def _letter_template(service: Service) -> str:
    template = _template_named(service, LETTER_TEMPLATE_NAME)
    if template is None:
        contacts = dao_list_letter_contacts(service.id)
        contact = next((contact for contact in contacts if contact.contact_block == LETTER_CONTACT_BLOCK), None)
        if contact is None:
            contact = dao_create_letter_contact(service.id, contact_block=LETTER_CONTACT_BLOCK, is_default=True)
        template = dao_create_template(
            service.id,
            name=LETTER_TEMPLATE_FIRST_NAME,
            template_type="letter",
            content="Body",
            subject="Main heading",
            postage="second",
        )
        dao_update_template(
            template,
            name=LETTER_TEMPLATE_NAME,
            content="Hello ((address_line_1))",
            service_letter_contact_id=contact.id,
        )
    return str(template.id)


def _sms_sender(service: Service) -> str:
    """A sender that is not the default, so the tests' `sms_sender_id` picks one out."""
    senders = {sender.sms_sender: sender for sender in dao_list_sms_senders(service.id)}
    if DEFAULT_SMS_SENDER not in senders:
        dao_create_sms_sender(service.id, sms_sender=DEFAULT_SMS_SENDER, is_default=not senders)
    named = senders.get(NAMED_SMS_SENDER) or dao_create_sms_sender(
        service.id, sms_sender=NAMED_SMS_SENDER, is_default=False
    )
    return str(named.id)


def _email_reply_to(service: Service) -> str:
    """A reply-to address that is not the default, so the tests' `email_reply_to_id` picks one out."""
    reply_tos = {reply_to.email_address: reply_to for reply_to in dao_list_email_reply_tos(service.id)}
    if DEFAULT_REPLY_TO not in reply_tos:
        dao_create_email_reply_to(service.id, email_address=DEFAULT_REPLY_TO, is_default=not reply_tos)
    named = reply_tos.get(NAMED_REPLY_TO) or dao_create_email_reply_to(
        service.id, email_address=NAMED_REPLY_TO, is_default=False
    )
    return str(named.id)


def _ensure_a_recent_inbound_sms(service: Service) -> None:
    """The tests list received text messages and expect at least one. Notify's functional-test service has real
    replies; here one reply, as a provider would have passed it on, stands in when none arrived in the last day
    (older ones may be purged by the retention task)."""
    since = utc_now() - timedelta(days=1)
    if dao_list_inbound_sms_for_service(service.id, limit=1, created_since=since):
        return
    dao_create_inbound_sms(
        service_id=service.id,
        notify_number=INBOUND_NUMBER,
        user_number="44" + FUNCTIONAL_TEST_NUMBER[1:],
        content=INBOUND_MESSAGE,
        provider=INBOUND_PROVIDER,
        provider_reference=None,
        provider_date=utc_now(),
    )


@click.command("seed-functional-test-service")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path(".data/functional-test-service.json"),
    help="Where to write the environment (JSON, readable by the owner only); `-` prints shell exports instead.",
)
def seed_functional_test_service_command(output: Path) -> None:
    """Set up the service the official clients' own integration tests expect (idempotent)."""
    environment = seed_functional_test_service()
    if str(output) == "-":
        for name, value in environment.items():
            click.echo(f"export {name}='{value}'")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.touch(mode=0o600)
    output.chmod(0o600)
    output.write_text(json.dumps(environment, indent=2) + "\n")
    click.echo(f"Functional-test service ready; its environment is in {output}")
