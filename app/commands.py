"""Flask CLI commands for the basic management steps (`flask --app application <command>`)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from app.admin.api_keys.rest import full_key_string
from app.admin.services.management import create_service, update_service
from app.billing.commands import BILLING_COMMANDS
from app.dao.api_key_dao import dao_create_api_key
from app.dao.letter_contacts_dao import dao_create_letter_contact, dao_list_letter_contacts
from app.dao.services_dao import (
    dao_create_email_reply_to,
    dao_create_sms_sender,
    dao_get_default_email_reply_to,
    dao_get_default_sms_sender,
    dao_get_service_by_id,
    dao_list_service_permissions,
    dao_update_service,
)
from app.dao.templates_dao import dao_create_template, dao_update_template
from app.extensions import db
from app.functional_test_service import seed_functional_test_service_command
from app.models import ApiKey, KeyType, Service, Template
from app.ops.sign_in import create_sign_in_link

DEMO_SERVICE_NAME = "Herald demo"
DEMO_PERMISSIONS = ("sms", "email", "international_sms", "inbound_sms", "letter")
DEMO_SMS_TEMPLATE = ("Demo text message", "sms", "Hello ((name)), this is a message from Herald.", None)
DEMO_EMAIL_TEMPLATE = (
    "Demo email",
    "email",
    "Hello ((name)),\n\nThis is an email from Herald.",
    "Hello ((name))",
)

# As Notify's functional-test service (letters.md §7.2): the clients' integration tests check these exact values.
DEMO_LETTER_CONTACT_BLOCK = (
    "Government Digital Service\nThe White Chapel Building\n10 Whitechapel High Street\nLondon\nE1 8QS\nUnited Kingdom"
)
DEMO_LETTER_TEMPLATE_NAME = "Client functional letter template"


@click.command("create-service")
@click.option("--name", required=True)
@click.option("--trial/--live", default=True, help="Trial services may only send to their guest list.")
@click.option("--permission", "permissions", multiple=True, default=("sms", "email"))
def create_service_command(name: str, trial: bool, permissions: tuple[str, ...]) -> None:
    """Create a service and print its id."""
    service = create_service(name=name, restricted=trial, permissions=list(permissions))
    click.echo(str(service.id))


@click.command("create-api-key")
@click.option("--service-id", required=True, type=click.UUID)
@click.option("--name", required=True)
@click.option("--key-type", type=click.Choice([key_type.value for key_type in KeyType]), default="normal")
def create_api_key_command(service_id: uuid.UUID, name: str, key_type: str) -> None:
    """Create an API key and print the full key string (shown this once)."""
    service = dao_get_service_by_id(service_id)
    click.echo(full_key_string(dao_create_api_key(service.id, name=name, key_type=key_type)))


@click.command("create-template")
@click.option("--service-id", required=True, type=click.UUID)
@click.option("--name", required=True)
@click.option("--type", "template_type", type=click.Choice(["sms", "email"]), required=True)
@click.option("--content", required=True)
@click.option("--subject")
def create_template_command(
    service_id: uuid.UUID, name: str, template_type: str, content: str, subject: str | None
) -> None:
    """Create a template and print its id."""
    service = dao_get_service_by_id(service_id)
    template = dao_create_template(service.id, name=name, template_type=template_type, content=content, subject=subject)
    click.echo(str(template.id))


def _demo_service() -> Service:
    service = db.session.execute(select(Service).where(Service.name == DEMO_SERVICE_NAME)).scalar_one_or_none()
    if service is None:
        return create_service(
            name=DEMO_SERVICE_NAME,
            restricted=False,
            permissions=list(DEMO_PERMISSIONS),
            email_sender_local_part="herald.demo",
        )
    if service.restricted:
        dao_update_service(service, restricted=False)
    missing = set(DEMO_PERMISSIONS) - set(dao_list_service_permissions(service.id))
    if missing:
        update_service(service, permissions=sorted({*dao_list_service_permissions(service.id), *missing}))
    return service


def _demo_api_key(service: Service, key_type: str) -> str:
    name = f"demo {key_type}"
    api_key = db.session.execute(
        select(ApiKey).where(ApiKey.service_id == service.id, ApiKey.name == name, ApiKey.expiry_date.is_(None))
    ).scalar_one_or_none()
    if api_key is None:
        api_key = dao_create_api_key(service.id, name=name, key_type=key_type)
    return full_key_string(api_key)


def _demo_template(service: Service, spec: tuple[str, str, str, str | None]) -> str:
    name, template_type, content, subject = spec
    template = db.session.execute(
        select(Template).where(Template.service_id == service.id, Template.name == name)
    ).scalar_one_or_none()
    if template is None:
        template = dao_create_template(
            service.id, name=name, template_type=template_type, content=content, subject=subject
        )
    return str(template.id)


def _demo_letter_template(service: Service) -> str:
    """The letter template as two versions, as Notify's fixture has it: `Untitled` (subject `Main heading`, body
    `Body`, no contact block), then the client test template with the GDS contact block."""
    template = db.session.execute(
        select(Template).where(Template.service_id == service.id, Template.name == DEMO_LETTER_TEMPLATE_NAME)
    ).scalar_one_or_none()
    if template is not None:
        return str(template.id)
    contacts = dao_list_letter_contacts(service.id)
    contact = next(
        (contact for contact in contacts if contact.contact_block == DEMO_LETTER_CONTACT_BLOCK), None
    ) or dao_create_letter_contact(service.id, contact_block=DEMO_LETTER_CONTACT_BLOCK, is_default=True)
    template = dao_create_template(
        service.id, name="Untitled", template_type="letter", content="Body", subject="Main heading", postage="second"
    )
    dao_update_template(
        template,
        name=DEMO_LETTER_TEMPLATE_NAME,
        content="Hello ((address_line_1))",
        service_letter_contact_id=contact.id,
    )
    return str(template.id)


def seed_demo(output_path: Path) -> dict[str, object]:
    """Create (or find) the demo service with keys, templates and senders; write and return its details."""
    service = _demo_service()
    sms_sender = dao_get_default_sms_sender(service.id) or dao_create_sms_sender(
        service.id, sms_sender="HERALD", is_default=True
    )
    reply_to = dao_get_default_email_reply_to(service.id) or dao_create_email_reply_to(
        service.id, email_address="replies@herald.example", is_default=True
    )
    details: dict[str, object] = {
        "api_url": current_app.config["API_HOST_NAME"],
        "service_id": str(service.id),
        "api_keys": {key_type.value: _demo_api_key(service, key_type.value) for key_type in KeyType},
        "templates": {
            "sms": _demo_template(service, DEMO_SMS_TEMPLATE),
            "email": _demo_template(service, DEMO_EMAIL_TEMPLATE),
            "letter": _demo_letter_template(service),
        },
        "sms_sender_id": str(sms_sender.id),
        "email_reply_to_id": str(reply_to.id),
        "admin_client_id": current_app.config["ADMIN_CLIENT_ID"],
        "admin_client_secret": current_app.config["ADMIN_CLIENT_SECRET"],
    }
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps(details, indent=2) + "\n")
    output_path.chmod(0o600)
    return details


@click.command("seed-demo")
@click.option("--output", type=click.Path(path_type=Path), default=Path(".data/demo.json"))
def seed_demo_command(output: Path) -> None:
    """Create the demo service (idempotent) and write its credentials to .data/demo.json."""
    seed_demo(output)
    click.echo(f"Demo service ready; credentials written to {output}")


@click.group("ops")
def ops_commands() -> None:
    """The operator console at /ops."""


@ops_commands.command("sign-in-link")
@click.option("--base-url", help="Where operators reach Herald (default: API_HOST_NAME).")
@click.option("--operator", help="Who the link is for, kept with the sign-in.")
def ops_sign_in_link_command(base_url: str | None, operator: str | None) -> None:
    """Print a one-time link that signs a browser in to the operator console (valid OPS_SIGN_IN_LINK_SECONDS)."""
    config = current_app.config
    link = create_sign_in_link(
        base_url=base_url or config["API_HOST_NAME"],
        valid_seconds=config["OPS_SIGN_IN_LINK_SECONDS"],
        created_by=operator,
    )
    click.echo(link)


def register_cli_commands(app: Flask) -> None:
    for command in (
        create_service_command,
        create_api_key_command,
        create_template_command,
        seed_demo_command,
        seed_functional_test_service_command,
        *BILLING_COMMANDS,
        ops_commands,
    ):
        app.cli.add_command(command)
