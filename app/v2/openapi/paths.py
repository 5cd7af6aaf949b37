"""The operations of Herald's public API, for the OpenAPI document: parameters, bodies and every response."""

from __future__ import annotations

from typing import Any

from app.v2.notifications.get_notifications import STATUS_FILTER_VALUES, TEMPLATE_TYPE_FILTER_VALUES
from app.v2.notifications.schemas import MAX_REFERENCE_LENGTH
from app.v2.openapi.component_schemas import ref

ERROR_DESCRIPTIONS = {
    400: "The request is invalid (ValidationError, BadRequestError, InvalidPhoneError, InvalidEmailError)",
    401: "No bearer token, or not the bearer scheme (AuthError)",
    403: "The token is not valid for any API key of the service (AuthError)",
    404: "No such resource for this service (NoResultFound)",
    405: "The method is not allowed for this path; `Allow` lists those that are",
    409: "The Idempotency-Key was used before with a different body (ConflictError)",
    413: "The request body is larger than Herald accepts",
    429: "The per-minute rate limit (RateLimitError) or a daily limit (TooManyRequestsError) is exhausted",
    500: "Something went wrong on Herald's side",
}
READ_ERRORS = (400, 401, 403, 404, 500)
SEND_ERRORS = (400, 401, 403, 409, 413, 429, 500)


def json_body(schema_name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": ref(schema_name)}}}


def responses(success_status: int, success_schema: str, description: str, errors: tuple[int, ...]) -> dict[str, Any]:
    documented = {str(success_status): {"description": description, **json_body(success_schema)}}
    for status in errors:
        documented[str(status)] = {"description": ERROR_DESCRIPTIONS[status], **json_body("ErrorResponse")}
    return documented


def path_uuid(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": ref("Uuid")}


def query(name: str, schema: dict[str, Any], description: str, *, explode: bool = True) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "explode": explode,
    }


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Send the same key with the same body again within 24 hours to get the first answer back.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
}


def send_operation(notification_type: str, summary: str) -> dict[str, Any]:
    schema_prefix = {"sms": "PostSms", "email": "PostEmail"}[notification_type]
    return {
        "post": {
            "operationId": f"send_{notification_type}",
            "summary": summary,
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": {"required": True, **json_body(f"{schema_prefix}Request")},
            "responses": responses(201, f"{schema_prefix}Response", "Accepted for delivery", SEND_ERRORS),
        }
    }


NOTIFICATION_PATHS: dict[str, Any] = {
    "/v2/notifications/sms": send_operation("sms", "Send a text message"),
    "/v2/notifications/email": send_operation("email", "Send an email"),
    "/v2/notifications/letter": {
        "post": {
            "operationId": "send_letter",
            "summary": "Send a letter: from a letter template (the address in its personalisation) or a PDF",
            "parameters": [IDEMPOTENCY_KEY],
            "requestBody": {"required": True, **json_body("PostLetterRequest")},
            "responses": responses(201, "SendLetterResponse", "Accepted for printing", SEND_ERRORS),
        }
    },
    "/v2/notifications/bulk": {
        "post": {
            "operationId": "send_bulk",
            "summary": "Send one template to many recipients, as a job",
            "requestBody": {"required": True, **json_body("PostBulkRequest")},
            "responses": responses(201, "PostBulkResponse", "The job was created", (400, 401, 403, 413, 429, 500)),
        }
    },
    "/v2/notifications/{notification_id}": {
        "get": {
            "operationId": "get_notification_by_id",
            "summary": "Get one notification",
            "parameters": [path_uuid("notification_id", "The notification's id")],
            "responses": responses(200, "Notification", "The notification", READ_ERRORS),
        }
    },
    "/v2/notifications/{notification_id}/pdf": {
        "get": {
            "operationId": "get_pdf_for_letter",
            "summary": "Get a letter's PDF (PDFNotReadyError until it is made: try again later)",
            "parameters": [path_uuid("notification_id", "The letter's id")],
            "responses": {
                "200": {
                    "description": "The letter as printed",
                    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                },
                **{
                    str(status): {"description": ERROR_DESCRIPTIONS[status], **json_body("ErrorResponse")}
                    for status in READ_ERRORS
                },
            },
        }
    },
    "/v2/notifications": {
        "get": {
            "operationId": "get_notifications",
            "summary": "List notifications, newest first, 250 a page",
            "description": (
                "A key sees only notifications sent with keys of its own type. Every non-empty page has "
                "`links.next`: the same filters with `older_than` set to the last id on the page."
            ),
            "parameters": [
                query(
                    "status",
                    {"type": "array", "items": {"enum": list(STATUS_FILTER_VALUES)}},
                    "Repeatable; `failed` means every failure status",
                ),
                query(
                    "template_type",
                    {"type": "array", "items": {"enum": list(TEMPLATE_TYPE_FILTER_VALUES)}},
                    "Repeatable",
                ),
                query(
                    "reference",
                    {"type": "string", "maxLength": MAX_REFERENCE_LENGTH},
                    "The reference the notification was sent with",
                ),
                query("older_than", ref("Uuid"), "Only notifications created before this one (the page cursor)"),
                query("include_jobs", {"enum": ["true", "True"]}, "Include notifications sent by bulk jobs"),
            ],
            "responses": responses(200, "NotificationsPage", "A page of notifications", (400, 401, 403, 500)),
        }
    },
}

TEMPLATE_ID = path_uuid("template_id", "The template's id")

TEMPLATE_PATHS: dict[str, Any] = {
    "/v2/template/{template_id}": {
        "get": {
            "operationId": "get_template_by_id",
            "summary": "Get the latest version of a template",
            "parameters": [TEMPLATE_ID],
            "responses": responses(200, "Template", "The template", READ_ERRORS),
        }
    },
    "/v2/template/{template_id}/version/{version}": {
        "get": {
            "operationId": "get_template_version",
            "summary": "Get one version of a template",
            "parameters": [
                TEMPLATE_ID,
                {"name": "version", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
            ],
            "responses": responses(200, "Template", "That version of the template", READ_ERRORS),
        }
    },
    "/v2/template/{template_id}/preview": {
        "post": {
            "operationId": "preview_template",
            "summary": "Fill the latest version of a template without sending it",
            "parameters": [TEMPLATE_ID],
            "requestBody": {"required": False, **json_body("TemplatePreviewRequest")},
            "responses": responses(200, "TemplatePreview", "The filled template", (*READ_ERRORS, 413)),
        }
    },
    "/v2/templates": {
        "get": {
            "operationId": "get_templates",
            "summary": "List the latest version of every template of the service",
            "parameters": [query("type", {"enum": ["sms", "email", "letter"]}, "Only templates of this type")],
            "responses": responses(200, "TemplatesList", "The templates", (400, 401, 403, 500)),
        }
    },
}

RECEIVED_TEXT_PATHS: dict[str, Any] = {
    "/v2/received-text-messages": {
        "get": {
            "operationId": "get_received_text_messages",
            "summary": "List the text messages people sent the service, newest first, 250 a page",
            "parameters": [query("older_than", ref("Uuid"), "Only messages received before this one (the cursor)")],
            "responses": responses(200, "ReceivedTextMessagesPage", "A page of messages", (400, 401, 403, 500)),
        }
    },
}

OPENAPI_PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "get_openapi_document",
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "Herald's OpenAPI document", "content": {"application/json": {}}}},
        }
    },
}

PUBLIC_API_PATHS: dict[str, Any] = {**NOTIFICATION_PATHS, **TEMPLATE_PATHS, **RECEIVED_TEXT_PATHS, **OPENAPI_PATHS}
