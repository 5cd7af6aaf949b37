"""Admin endpoints: a service's letter contact blocks, as Notify's admin API has them (list, get, add, update,
archive). A contact block is at most 10 lines, as Notify's admin app allows."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields, validate, validates
from marshmallow import ValidationError as SchemaError

from app.admin.request_body import load_admin_body
from app.authentication.auth import requires_admin_auth
from app.dao.letter_contacts_dao import (
    dao_archive_letter_contact,
    dao_create_letter_contact,
    dao_get_letter_contact_by_id,
    dao_list_letter_contacts,
    dao_update_letter_contact,
)
from app.dao.services_dao import dao_get_service_by_id
from app.envelopes import Envelope, HeraldBlueprint
from app.models import ServiceLetterContact

admin_letter_contacts = HeraldBlueprint(
    "admin_letter_contacts",
    __name__,
    url_prefix="/service/<uuid:service_id>/letter-contact",
    envelope=Envelope.ADMIN,
)
admin_letter_contacts.before_request(requires_admin_auth)

MAX_CONTACT_BLOCK_LINES = 10
MAX_CONTACT_BLOCK_CHARACTERS = 1000


class LetterContactSchema(Schema):
    contact_block = fields.String(required=True, validate=validate.Length(min=1, max=MAX_CONTACT_BLOCK_CHARACTERS))
    is_default = fields.Boolean(required=True)

    @validates("contact_block")
    def check_contact_block(self, contact_block: str, **kwargs: Any) -> None:
        if not contact_block.strip():
            raise SchemaError("Contact block cannot be empty")
        if len(contact_block.splitlines()) > MAX_CONTACT_BLOCK_LINES:
            raise SchemaError(f"Contact block must be {MAX_CONTACT_BLOCK_LINES} lines or fewer")


def serialise_letter_contact(contact: ServiceLetterContact) -> dict[str, Any]:
    return {
        "id": str(contact.id),
        "service_id": str(contact.service_id),
        "contact_block": contact.contact_block,
        "is_default": contact.is_default,
        "created_at": contact.created_at.isoformat(),
        "updated_at": contact.updated_at.isoformat() if contact.updated_at else None,
    }


@admin_letter_contacts.route("", methods=["GET"])
def list_letter_contacts(service_id: uuid.UUID) -> Response:
    service = dao_get_service_by_id(service_id)
    return jsonify([serialise_letter_contact(contact) for contact in dao_list_letter_contacts(service.id)])


@admin_letter_contacts.route("/<uuid:letter_contact_id>", methods=["GET"])
def get_letter_contact(service_id: uuid.UUID, letter_contact_id: uuid.UUID) -> Response:
    return jsonify(serialise_letter_contact(dao_get_letter_contact_by_id(service_id, letter_contact_id)))


@admin_letter_contacts.route("", methods=["POST"])
def post_letter_contact(service_id: uuid.UUID) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    contact = dao_create_letter_contact(service.id, **load_admin_body(LetterContactSchema()))
    return jsonify(data=serialise_letter_contact(contact)), 201


@admin_letter_contacts.route("/<uuid:letter_contact_id>", methods=["POST"])
def post_letter_contact_update(service_id: uuid.UUID, letter_contact_id: uuid.UUID) -> Response:
    contact = dao_get_letter_contact_by_id(service_id, letter_contact_id)
    updated = dao_update_letter_contact(contact, **load_admin_body(LetterContactSchema()))
    return jsonify(data=serialise_letter_contact(updated))


@admin_letter_contacts.route("/<uuid:letter_contact_id>/archive", methods=["POST"])
def post_archive_letter_contact(service_id: uuid.UUID, letter_contact_id: uuid.UUID) -> Response:
    contact = dao_get_letter_contact_by_id(service_id, letter_contact_id)
    return jsonify(data=serialise_letter_contact(dao_archive_letter_contact(contact)))
