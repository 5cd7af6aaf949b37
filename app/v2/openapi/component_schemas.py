"""The JSON Schemas (OpenAPI 3.1 dialect, i.e. JSON Schema 2020-12) of Herald's public API bodies.

Response objects Herald builds itself are closed (`additionalProperties: false`) so the document has to change
whenever a response does; the test in tests/v2/openapi checks real responses against these schemas.
"""

from __future__ import annotations

from typing import Any

from app.jobs.job_request import MAX_NAME_LENGTH
from app.jobs.recipient_file import MAX_ROWS
from app.v2.notifications.schemas import MAX_RECIPIENT_LENGTH, MAX_REFERENCE_LENGTH, MAX_UNSUBSCRIBE_URL_LENGTH
from app.v2.openapi.personalisation_schemas import PERSONALISATION_SCHEMAS
from app.v2.request_validation import UUID_LENGTH, UUID_PATTERN

STRING_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
DATETIME: dict[str, Any] = {"type": "string", "format": "date-time", "examples": ["2016-03-14T12:35:25.909000Z"]}
DATETIME_OR_NULL: dict[str, Any] = {**DATETIME, "type": ["string", "null"]}


NON_BLANK_STRING: dict[str, Any] = {"type": "string", "pattern": "\\S"}


def ref(schema_name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{schema_name}"}


def closed_object(properties: dict[str, Any], *, required: list[str] | None = None) -> dict[str, Any]:
    """An object with exactly ``properties`` (all of them required unless ``required`` says otherwise)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


ERROR_SCHEMAS: dict[str, Any] = {
    "Error": closed_object(
        {
            "error": {"type": "string", "examples": ["ValidationError", "BadRequestError", "AuthError"]},
            "message": {"type": "string"},
        }
    ),
    "ErrorResponse": closed_object(
        {
            "status_code": {"type": "integer", "minimum": 400, "maximum": 599},
            "errors": {"type": "array", "items": ref("Error"), "minItems": 1},
        }
    ),
}

PAGE_LINKS: dict[str, Any] = closed_object(
    {"current": {"type": "string", "format": "uri"}, "next": {"type": "string", "format": "uri"}}, required=["current"]
)

NOTIFICATION_SCHEMAS: dict[str, Any] = {
    "Uuid": {
        "type": "string",
        "format": "uuid",
        "minLength": UUID_LENGTH,
        "maxLength": UUID_LENGTH,
        "pattern": UUID_PATTERN,
    },
    "TemplateReference": closed_object(
        {"id": ref("Uuid"), "version": {"type": "integer", "minimum": 1}, "uri": {"type": "string", "format": "uri"}}
    ),
    "CostDetails": {
        "type": "object",
        "description": "Empty for emails, and for SMS and letters whose cost is not known yet.",
        "properties": {
            "billable_sms_fragments": {"type": "integer", "minimum": 0},
            "international_rate_multiplier": {"type": "number"},
            "sms_rate": {"type": "number"},
            "billable_sheets_of_paper": {"type": "integer", "minimum": 0},
            "postage": {"enum": ["first", "second", "economy", "europe", "rest-of-world"]},
        },
        "additionalProperties": False,
    },
    "Notification": closed_object(
        {
            "id": ref("Uuid"),
            "reference": STRING_OR_NULL,
            "email_address": STRING_OR_NULL,
            "phone_number": STRING_OR_NULL,
            **{key: STRING_OR_NULL for key in ("line_1", "line_2", "line_3", "line_4", "line_5", "line_6")},
            "postcode": STRING_OR_NULL,
            "type": {"enum": ["sms", "email", "letter"]},
            "status": {"type": "string"},
            "template": ref("TemplateReference"),
            "body": {"type": "string"},
            "subject": STRING_OR_NULL,
            "created_at": DATETIME,
            "created_by_name": {"type": "null"},
            "sent_at": DATETIME_OR_NULL,
            "completed_at": DATETIME_OR_NULL,
            "scheduled_for": {"type": "null"},
            "postage": {"anyOf": [ref("Postage"), {"type": "null"}]},
            "one_click_unsubscribe_url": STRING_OR_NULL,
            "cost_details": ref("CostDetails"),
            "cost_in_pounds": {"type": ["number", "null"]},
            "is_cost_data_ready": {"type": "boolean"},
            "estimated_delivery": {**DATETIME, "description": "Letters only: the latest expected delivery"},
        },
        required=[
            "id",
            "reference",
            "email_address",
            "phone_number",
            "line_1",
            "line_2",
            "line_3",
            "line_4",
            "line_5",
            "line_6",
            "postcode",
            "type",
            "status",
            "template",
            "body",
            "subject",
            "created_at",
            "created_by_name",
            "sent_at",
            "completed_at",
            "scheduled_for",
            "postage",
            "one_click_unsubscribe_url",
            "cost_details",
            "cost_in_pounds",
            "is_cost_data_ready",
        ],  # fmt: skip
    ),
    "Postage": {"enum": ["first", "second", "economy", "europe", "rest-of-world"]},
    "NotificationsPage": closed_object(
        {"notifications": {"type": "array", "items": ref("Notification")}, "links": PAGE_LINKS}
    ),
}

SEND_SCHEMAS: dict[str, Any] = {
    **PERSONALISATION_SCHEMAS,
    "PostSmsRequest": closed_object(
        {
            "phone_number": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_RECIPIENT_LENGTH,
                "description": "A mobile number; international numbers need the service's permission",
            },
            "template_id": ref("Uuid"),
            "personalisation": ref("Personalisation"),
            "reference": ref("ClientReference"),
            "sms_sender_id": ref("Uuid"),
            "scheduled_for": ref("ScheduledFor"),
        },
        required=["phone_number", "template_id"],
    ),
    "PostEmailRequest": closed_object(
        {
            "email_address": {"type": "string", "format": "email", "maxLength": MAX_RECIPIENT_LENGTH},
            "template_id": ref("Uuid"),
            "personalisation": ref("EmailPersonalisation"),
            "reference": ref("ClientReference"),
            "email_reply_to_id": ref("Uuid"),
            "one_click_unsubscribe_url": {
                "type": "string",
                "format": "uri",
                "pattern": "^(?=[!-~]*$)https://[^\\s/?#@]+",
                "maxLength": MAX_UNSUBSCRIBE_URL_LENGTH,
            },
            "sanitise_content_for": {"type": "array", "items": {"type": "string"}},
            "scheduled_for": ref("ScheduledFor"),
        },
        required=["email_address", "template_id"],
    ),
    "ClientReference": {
        "type": "string",
        "maxLength": MAX_REFERENCE_LENGTH,
        "pattern": "^[^\\u0000]*$",
        "description": "Your own identifier; PostgreSQL text cannot hold the NUL character",
    },
    "ScheduledFor": {
        **DATETIME_OR_NULL,
        "description": "Accepted as GOV.UK Notify does (now to 24 hours ahead) but sent at once and answered as null",
    },
    "PostSmsResponse": {
        "type": "object",
        "properties": {
            "id": ref("Uuid"),
            "reference": STRING_OR_NULL,
            "content": {
                "type": "object",
                "properties": {"body": {"type": "string"}, "from_number": STRING_OR_NULL},
                "required": ["body", "from_number"],
            },
            "uri": {"type": "string", "format": "uri"},
            "template": ref("TemplateReference"),
            "scheduled_for": {"type": "null"},
        },
        "required": ["id", "reference", "content", "uri", "template", "scheduled_for"],
    },
    "PostEmailResponse": {
        "type": "object",
        "properties": {
            "id": ref("Uuid"),
            "reference": STRING_OR_NULL,
            "content": {
                "type": "object",
                "properties": {
                    "from_email": {"type": "string"},
                    "body": {"type": "string"},
                    "subject": {"type": "string"},
                    "one_click_unsubscribe_url": STRING_OR_NULL,
                },
                "required": ["from_email", "body", "subject", "one_click_unsubscribe_url"],
            },
            "uri": {"type": "string", "format": "uri"},
            "template": ref("TemplateReference"),
            "scheduled_for": {"type": "null"},
            "sanitised_content": {
                "type": "object",
                "description": "Only the personalisation values `sanitise_content_for` changed.",
                "additionalProperties": closed_object(
                    {"unsanitised": {"type": "string"}, "sanitised": {"type": "string"}}
                ),
            },
        },
        "required": ["id", "reference", "content", "uri", "template", "scheduled_for", "sanitised_content"],
    },
    "PostLetterRequest": {
        "description": (
            "A templated letter (the address in `personalisation`: `address_line_1`… and `postcode` or "
            "`address_line_7`), or a precompiled PDF (`content`: base64 of an A4 PDF of at most 10 pages with the "
            "address in the envelope window; it is virus-scanned and checked after the 201, ending `created` or "
            "`validation-failed`)."
        ),
        "oneOf": [
            closed_object(
                {
                    "template_id": ref("Uuid"),
                    "personalisation": {"type": "object"},
                    "reference": ref("ClientReference"),
                },
                required=["template_id", "personalisation"],
            ),
            closed_object(
                {
                    "reference": ref("ClientReference"),
                    "content": {"type": "string"},
                    "postage": {"enum": ["first", "second", "economy"]},
                },
                required=["reference", "content"],
            ),
        ],
    },
    "PostLetterResponse": {
        "type": "object",
        "properties": {
            "id": ref("Uuid"),
            "reference": STRING_OR_NULL,
            "content": closed_object({"body": {"type": "string"}, "subject": {"type": "string"}}),
            "uri": {"type": "string", "format": "uri"},
            "template": ref("TemplateReference"),
            "scheduled_for": {"type": "null"},
        },
        "required": ["id", "reference", "content", "uri", "template", "scheduled_for"],
    },
    "PostPrecompiledLetterResponse": closed_object(
        {"id": ref("Uuid"), "reference": {"type": "string"}, "postage": {"enum": ["first", "second", "economy"]}},
        required=["id", "reference", "postage"],
    ),
    "SendLetterResponse": {"oneOf": [ref("PostLetterResponse"), ref("PostPrecompiledLetterResponse")]},
    "PostBulkRequest": {
        "type": "object",
        "description": (
            "One template sent to every row: `rows` (a header row, then values) or `csv`, not both. The header "
            "names the recipient column (`phone number` or `email address`; for a letter at least 3 of the address "
            "columns `address_line_1` to `address_line_7` and `postcode`) and a column per placeholder; up to "
            "100,000 rows, every one validated before anything is stored."
        ),
        "properties": {
            "name": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_NAME_LENGTH,
                "pattern": "^[^\\u0000]*[^\\u0000\\s][^\\u0000]*$",
            },
            "template_id": ref("Uuid"),
            "rows": {
                "type": "array",
                "description": "The header row, then one row per recipient",
                "minItems": 2,
                "maxItems": MAX_ROWS + 1,
                "prefixItems": [{"type": "array", "items": {"type": "string"}, "contains": NON_BLANK_STRING}],
                # The header and at least one recipient row have a cell with something in it.
                "contains": {"type": "array", "contains": NON_BLANK_STRING},
                "minContains": 2,
                "items": {"type": "array", "items": {"type": ["string", "number", "null"]}},
            },
            "csv": {
                "type": "string",
                "description": "A header line, then a line per recipient",
                "pattern": "\\S[^\\r\\n]*[\\r\\n][\\s\\S]*\\S",
            },
            "scheduled_for": {**DATETIME_OR_NULL, "description": "Up to 96 hours ahead; UTC when no offset"},
            "reply_to_id": {"anyOf": [ref("Uuid"), {"type": "null"}], "description": "An SMS sender or reply-to id"},
        },
        "required": ["name", "template_id"],
        "oneOf": [{"required": ["rows"]}, {"required": ["csv"]}],
        "additionalProperties": False,
    },
    "PostBulkResponse": closed_object(
        {
            "data": closed_object(
                {
                    "id": ref("Uuid"),
                    "name": {"type": "string"},
                    "service_id": ref("Uuid"),
                    "template_id": ref("Uuid"),
                    "template_version": {"type": "integer", "minimum": 1},
                    "notification_count": {"type": "integer", "minimum": 1},
                    "job_status": {"enum": ["pending", "scheduled"]},
                    "scheduled_for": DATETIME_OR_NULL,
                    "processing_started": {"type": "null"},
                    "processing_finished": {"type": "null"},
                    "created_at": DATETIME,
                }
            )
        }
    ),
}

TEMPLATE_SCHEMAS: dict[str, Any] = {
    "Template": closed_object(
        {
            "id": ref("Uuid"),
            "type": {"enum": ["sms", "email", "letter"]},
            "created_at": DATETIME,
            "updated_at": DATETIME_OR_NULL,
            "created_by": {"type": "string"},
            "version": {"type": "integer", "minimum": 1},
            "body": {"type": "string"},
            "subject": STRING_OR_NULL,
            "name": {"type": "string"},
            "personalisation": {
                "type": "object",
                "additionalProperties": closed_object({"required": {"const": True}}),
            },
            "postage": {"anyOf": [ref("Postage"), {"type": "null"}]},
            "letter_contact_block": STRING_OR_NULL,
        }
    ),
    "TemplatesList": closed_object({"templates": {"type": "array", "items": ref("Template")}}),
    "TemplatePreviewRequest": {
        "type": "object",
        "properties": {"personalisation": {"anyOf": [ref("EmailPersonalisation"), {"type": "null"}]}},
        "description": "Other properties are ignored, as GOV.UK Notify ignores them.",
    },
    "TemplatePreview": closed_object(
        {
            "id": ref("Uuid"),
            "type": {"enum": ["sms", "email", "letter"]},
            "version": {"type": "integer", "minimum": 1},
            "body": {"type": "string"},
            "subject": STRING_OR_NULL,
            "html": STRING_OR_NULL,
            "postage": {"anyOf": [ref("Postage"), {"type": "null"}]},
        }
    ),
}

RECEIVED_TEXT_SCHEMAS: dict[str, Any] = {
    "ReceivedTextMessage": closed_object(
        {
            "id": ref("Uuid"),
            "created_at": DATETIME,
            "service_id": ref("Uuid"),
            "notify_number": {"type": "string"},
            "user_number": {"type": "string"},
            "content": {"type": "string"},
        }
    ),
    "ReceivedTextMessagesPage": closed_object(
        {"received_text_messages": {"type": "array", "items": ref("ReceivedTextMessage")}, "links": PAGE_LINKS}
    ),
}

COMPONENT_SCHEMAS: dict[str, Any] = {
    **ERROR_SCHEMAS,
    **NOTIFICATION_SCHEMAS,
    **SEND_SCHEMAS,
    **TEMPLATE_SCHEMAS,
    **RECEIVED_TEXT_SCHEMAS,
}
