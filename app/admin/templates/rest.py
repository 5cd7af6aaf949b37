"""Admin endpoints: create templates, update them (each update is a new version), read them and their versions."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields, validate, validates_schema
from marshmallow import ValidationError as SchemaError
from sqlalchemy.exc import NoResultFound

from app.admin.request_body import load_admin_body
from app.authentication.auth import requires_admin_auth
from app.dao.letter_contacts_dao import dao_get_letter_contact_by_id
from app.dao.services_dao import dao_get_service_by_id
from app.dao.templates_dao import (
    dao_create_template,
    dao_get_template_by_id,
    dao_get_template_version,
    dao_list_template_versions,
    dao_list_templates,
    dao_update_template,
)
from app.envelopes import Envelope, HeraldBlueprint
from app.errors import InvalidRequest
from app.models import LetterPostage, Template, TemplateHistory, TemplateProcessType, TemplateType
from app.templating.render_bounds import template_content_problem

admin_templates = HeraldBlueprint(
    "admin_templates", __name__, url_prefix="/service/<uuid:service_id>/template", envelope=Envelope.ADMIN
)
admin_templates.before_request(requires_admin_auth)

PROCESS_TYPES = [process_type.value for process_type in TemplateProcessType]
SENDABLE_TYPES = [TemplateType.SMS.value, TemplateType.EMAIL.value, TemplateType.LETTER.value]
TEMPLATE_POSTAGE = [LetterPostage.FIRST.value, LetterPostage.SECOND.value, LetterPostage.ECONOMY.value]
DEFAULT_LETTER_POSTAGE = LetterPostage.SECOND.value


class CreateTemplateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    template_type = fields.String(required=True, validate=validate.OneOf(SENDABLE_TYPES))
    content = fields.String(required=True, validate=validate.Length(min=1))
    subject = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    # Which lane its API sends take (a job's rows are always bulk); see app/delivery/lanes.py.
    process_type = fields.String(validate=validate.OneOf(PROCESS_TYPES))
    postage = fields.String(validate=validate.OneOf(TEMPLATE_POSTAGE))
    service_letter_contact_id = fields.UUID(allow_none=True)

    @validates_schema
    def check_subject(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("template_type") == TemplateType.EMAIL and not data.get("subject"):
            raise SchemaError("Email templates need a subject", field_name="subject")
        if data.get("template_type") == TemplateType.LETTER and not data.get("subject"):
            raise SchemaError("Letter templates need a subject (their heading)", field_name="subject")
        if data.get("template_type") != TemplateType.LETTER:
            for letter_field in ("postage", "service_letter_contact_id"):
                if data.get(letter_field):
                    raise SchemaError("Only letter templates have this", field_name=letter_field)
        if data.get("template_type") == TemplateType.SMS and data.get("subject"):
            raise SchemaError("Text message templates have no subject", field_name="subject")


class UpdateTemplateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    content = fields.String(validate=validate.Length(min=1))
    subject = fields.String(allow_none=True)
    archived = fields.Boolean()
    hidden = fields.Boolean()
    process_type = fields.String(validate=validate.OneOf(PROCESS_TYPES))
    updated_by = fields.String(allow_none=True)
    postage = fields.String(validate=validate.OneOf(TEMPLATE_POSTAGE))
    service_letter_contact_id = fields.UUID(allow_none=True)


def serialise_template(template: Template | TemplateHistory) -> dict[str, Any]:
    return {
        "id": str(template.id),
        "service_id": str(template.service_id),
        "name": template.name,
        "template_type": template.template_type,
        "content": template.content,
        "subject": template.subject,
        "version": template.version,
        "archived": template.archived,
        "process_type": template.process_type,
        "postage": template.postage,
        "service_letter_contact_id": (
            str(template.service_letter_contact_id) if template.service_letter_contact_id else None
        ),
        "created_by": template.created_by,
        "created_at": template.created_at.isoformat(),
        "updated_at": template.updated_at.isoformat() if template.updated_at else None,
    }


def check_template_size(template_type: str, content: str, subject: str | None) -> None:
    """Refuse content a message could never be sent with (Notify's admin words), before storing it."""
    problem = template_content_problem(template_type, content, subject)
    if problem is not None:
        raise InvalidRequest(problem, 400)


def check_letter_contact_belongs_to(service_id: uuid.UUID, letter_contact_id: uuid.UUID | None) -> None:
    """Refuse a contact block that is not the service's own (or is archived), as Notify's admin API does."""
    if letter_contact_id is None:
        return
    try:
        dao_get_letter_contact_by_id(service_id, letter_contact_id)
    except NoResultFound as error:
        message = f"letter_contact_id {letter_contact_id} does not exist in database for service id {service_id}"
        raise InvalidRequest(message, 400) from error


@admin_templates.route("", methods=["POST"])
def post_template(service_id: uuid.UUID) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    fields_given = load_admin_body(CreateTemplateSchema())
    check_template_size(fields_given["template_type"], fields_given["content"], fields_given.get("subject"))
    check_letter_contact_belongs_to(service.id, fields_given.get("service_letter_contact_id"))
    if fields_given["template_type"] == TemplateType.LETTER:
        fields_given.setdefault("postage", DEFAULT_LETTER_POSTAGE)
    template = dao_create_template(service.id, **fields_given)
    return jsonify(data=serialise_template(template)), 201


@admin_templates.route("", methods=["GET"])
def list_templates(service_id: uuid.UUID) -> Response:
    service = dao_get_service_by_id(service_id)
    return jsonify(data=[serialise_template(template) for template in dao_list_templates(service.id)])


@admin_templates.route("/<uuid:template_id>", methods=["GET"])
def get_template(service_id: uuid.UUID, template_id: uuid.UUID) -> Response:
    return jsonify(data=serialise_template(dao_get_template_by_id(service_id, template_id)))


@admin_templates.route("/<uuid:template_id>", methods=["POST"])
def post_template_update(service_id: uuid.UUID, template_id: uuid.UUID) -> Response:
    template = dao_get_template_by_id(service_id, template_id)
    changes = load_admin_body(UpdateTemplateSchema())
    if template.template_type != TemplateType.LETTER and (
        changes.get("postage") or changes.get("service_letter_contact_id")
    ):
        raise InvalidRequest({"postage": ["Only letter templates have a postage or a contact block"]}, 400)
    check_letter_contact_belongs_to(service_id, changes.get("service_letter_contact_id"))
    check_template_size(
        template.template_type, changes.get("content", template.content), changes.get("subject", template.subject)
    )
    return jsonify(data=serialise_template(dao_update_template(template, **changes)))


@admin_templates.route("/<uuid:template_id>/versions", methods=["GET"])
def list_template_versions(service_id: uuid.UUID, template_id: uuid.UUID) -> Response:
    versions = dao_list_template_versions(service_id, template_id)
    return jsonify(data=[serialise_template(version) for version in versions])


# Versions are a PostgreSQL integer: a larger number is no route (404), not a query PostgreSQL refuses.
@admin_templates.route("/<uuid:template_id>/version/<int(max=2147483647):version>", methods=["GET"])
def get_template_version(service_id: uuid.UUID, template_id: uuid.UUID, version: int) -> Response:
    return jsonify(data=serialise_template(dao_get_template_version(service_id, template_id, version)))
