"""Admin endpoints: create, update and read services, their senders, reply-tos, guest list and callbacks."""

from __future__ import annotations

from flask import Response, jsonify

from app.admin.request_body import load_admin_body
from app.admin.services.callbacks import delete_service_callback, get_service_callback, set_service_callback
from app.admin.services.management import create_service, replace_guest_list, update_service
from app.admin.services.schemas import (
    CallbackSchema,
    CreateServiceSchema,
    EmailReplyToSchema,
    GuestListSchema,
    InboundNumberSchema,
    SmsSenderSchema,
    UpdateServiceSchema,
)
from app.admin.services.serialisation import (
    serialise_callback,
    serialise_email_reply_to,
    serialise_service,
    serialise_sms_sender,
)
from app.authentication.auth import requires_admin_auth
from app.dao.inbound_numbers_dao import dao_assign_inbound_number
from app.dao.services_dao import (
    dao_create_email_reply_to,
    dao_create_sms_sender,
    dao_get_service_by_id,
    dao_list_services,
)
from app.envelopes import Envelope, HeraldBlueprint
from app.models import CallbackType

admin_services = HeraldBlueprint("admin_services", __name__, url_prefix="/service", envelope=Envelope.ADMIN)
admin_services.before_request(requires_admin_auth)

# `/callback/<callback_type>` answers 404 for any other type.
CALLBACK_TYPE_PATH = f"<any({', '.join(callback_type.value for callback_type in CallbackType)}):callback_type>"


@admin_services.route("", methods=["POST"])
def post_service() -> tuple[Response, int]:
    service = create_service(**load_admin_body(CreateServiceSchema()))
    return jsonify(data=serialise_service(service)), 201


@admin_services.route("", methods=["GET"])
def list_services() -> Response:
    return jsonify(data=[serialise_service(service) for service in dao_list_services()])


@admin_services.route("/<uuid:service_id>", methods=["GET"])
def get_service(service_id: str) -> Response:
    return jsonify(data=serialise_service(dao_get_service_by_id(service_id)))


@admin_services.route("/<uuid:service_id>", methods=["POST"])
def post_service_update(service_id: str) -> Response:
    service = dao_get_service_by_id(service_id)
    return jsonify(data=serialise_service(update_service(service, **load_admin_body(UpdateServiceSchema()))))


@admin_services.route("/<uuid:service_id>/guest-list", methods=["PUT"])
def put_guest_list(service_id: str) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    replace_guest_list(service.id, **load_admin_body(GuestListSchema()))
    return jsonify(data=serialise_service(service)["guest_list"]), 200


@admin_services.route("/<uuid:service_id>/sms-sender", methods=["POST"])
def post_sms_sender(service_id: str) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    sender = dao_create_sms_sender(service.id, **load_admin_body(SmsSenderSchema()))
    return jsonify(data=serialise_sms_sender(sender)), 201


@admin_services.route("/<uuid:service_id>/email-reply-to", methods=["POST"])
def post_email_reply_to(service_id: str) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    reply_to = dao_create_email_reply_to(service.id, **load_admin_body(EmailReplyToSchema()))
    return jsonify(data=serialise_email_reply_to(reply_to)), 201


@admin_services.route("/<uuid:service_id>/callback", methods=["POST"])
def post_callback(service_id: str) -> tuple[Response, int]:
    """Set a callback; the answer carries the HMAC signing secret, shown this once only."""
    service = dao_get_service_by_id(service_id)
    callback, signing_secret = set_service_callback(service.id, **load_admin_body(CallbackSchema()))
    return jsonify(data={**serialise_callback(callback), "signing_secret": signing_secret}), 201


@admin_services.route(f"/<uuid:service_id>/callback/{CALLBACK_TYPE_PATH}", methods=["GET"])
def get_callback(service_id: str, callback_type: str) -> Response:
    """The callback's URL and whether it has a bearer token; never the token or the signing secret."""
    service = dao_get_service_by_id(service_id)
    return jsonify(data=serialise_callback(get_service_callback(service.id, callback_type)))


@admin_services.route(f"/<uuid:service_id>/callback/{CALLBACK_TYPE_PATH}", methods=["DELETE"])
def delete_callback(service_id: str, callback_type: str) -> tuple[str, int]:
    service = dao_get_service_by_id(service_id)
    delete_service_callback(service.id, callback_type)
    return "", 204


@admin_services.route("/<uuid:service_id>/inbound-number", methods=["POST"])
def post_inbound_number(service_id: str) -> tuple[Response, int]:
    service = dao_get_service_by_id(service_id)
    inbound_number = dao_assign_inbound_number(service.id, **load_admin_body(InboundNumberSchema()))
    return jsonify(data={"number": inbound_number.number, "provider": inbound_number.provider}), 201
