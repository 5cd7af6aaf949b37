"""Letter templates in the v2 API: contact block, postage, personalisation and preview (letters.md §7.1)."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.dao.letter_contacts_dao import dao_update_letter_contact
from app.dao.templates_dao import dao_update_template
from tests.contract import validate_against_client_schema
from tests.factories import create_letter_contact, create_template
from tests.v2.read_api import create_service_with_key, get_as, post_as

CONTACT = "Government Digital Service\n((team)) team\nLondon"


def test_a_letter_template_shows_its_contact_block_postage_and_placeholders(client: FlaskClient) -> None:
    caller = create_service_with_key(permissions=["letter"])
    contact = create_letter_contact(service=caller.service, contact_block=CONTACT)
    template = create_template(
        service=caller.service,
        template_type="letter",
        subject="About ((topic))",
        content="Hello ((address_line_1))",
        service_letter_contact_id=contact.id,
    )

    response = get_as(client, caller.api_key, f"/v2/template/{template.id}")

    validate_against_client_schema(response.json, "template_schemas.get_template_by_id_response")
    assert response.json is not None
    assert (response.json["type"], response.json["subject"], response.json["body"]) == (
        "letter",
        "About ((topic))",
        "Hello ((address_line_1))",
    )
    assert (response.json["postage"], response.json["letter_contact_block"]) == ("second", CONTACT)
    assert set(response.json["personalisation"]) == {"address_line_1", "topic", "team"}


def test_an_old_version_shows_the_contact_blocks_current_text_or_none(client: FlaskClient) -> None:
    caller = create_service_with_key(permissions=["letter"])
    contact = create_letter_contact(service=caller.service, contact_block="Old")
    template = create_template(service=caller.service, template_type="letter", name="Untitled", content="Body")
    dao_update_template(template, service_letter_contact_id=contact.id, content="Hello ((address_line_1))")
    dao_update_letter_contact(contact, contact_block="New", is_default=True)

    version_1 = get_as(client, caller.api_key, f"/v2/template/{template.id}/version/1")
    version_2 = get_as(client, caller.api_key, f"/v2/template/{template.id}/version/2")

    assert version_1.json is not None
    assert version_2.json is not None
    assert version_1.json["letter_contact_block"] is None
    assert version_2.json["letter_contact_block"] == "New"


def test_a_letter_preview_fills_the_body_and_heading_with_no_html(client: FlaskClient) -> None:
    caller = create_service_with_key(permissions=["letter"])
    template = create_template(
        service=caller.service, template_type="letter", subject="Hi ((name))", content="Hello ((address_line_1))"
    )

    response = post_as(
        client,
        caller.api_key,
        f"/v2/template/{template.id}/preview",
        {"personalisation": {"name": "Jo & Al", "address_line_1": "Foo", "address_line_2": "Bar"}},
    )

    validate_against_client_schema(response.json, "template_schemas.post_template_preview_response")
    assert response.json == {
        "id": str(template.id),
        "type": "letter",
        "version": 1,
        "body": "Hello Foo",
        "subject": "Hi Jo &amp; Al",
        "html": None,
        "postage": "second",
    }


def test_a_letter_preview_needs_the_contact_blocks_placeholders(client: FlaskClient) -> None:
    caller = create_service_with_key(permissions=["letter"])
    contact = create_letter_contact(service=caller.service, contact_block=CONTACT)
    template = create_template(
        service=caller.service, template_type="letter", content="Hi", service_letter_contact_id=contact.id
    )

    response = post_as(client, caller.api_key, f"/v2/template/{template.id}/preview", {"personalisation": {}})

    assert response.status_code == 400
    assert response.json is not None
    assert response.json["errors"] == [{"error": "BadRequestError", "message": "Missing personalisation: team"}]


def test_letter_templates_are_listed_by_type(client: FlaskClient) -> None:
    caller = create_service_with_key(permissions=["letter"])
    letter = create_template(service=caller.service, template_type="letter", content="Hi")
    create_template(service=caller.service)

    response = get_as(client, caller.api_key, "/v2/templates?type=letter")

    validate_against_client_schema(response.json, "templates_schemas.get_all_template_response")
    assert response.json is not None
    assert [template["id"] for template in response.json["templates"]] == [str(letter.id)]
