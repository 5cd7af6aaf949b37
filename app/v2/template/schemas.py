"""Request schemas of GET /v2/template/<id>[/version/<n>] and POST /v2/template/<id>/preview."""

from __future__ import annotations

from typing import Any

from app.v2.request_validation import UUID_SCHEMA

GET_TEMPLATE_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {"id": UUID_SCHEMA, "version": {"type": ["integer", "null"], "minimum": 1}},
    "required": ["id"],
    "additionalProperties": False,
}

# `personalisation` may be absent or null (the clients send null or `{}` for a template without placeholders).
POST_TEMPLATE_PREVIEW_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "personalisation": {
            "type": ["object", "null"],
            "validationMessage": "should contain key value pairs",
        },
    },
}
