"""Load an admin request body through a marshmallow schema, turning its errors into InvalidRequest."""

from __future__ import annotations

from typing import Any

import marshmallow

from app.errors import InvalidRequest
from app.request_json import InvalidJsonError, parsed_json_body, strings_in

NUL_MESSAGE = "must not contain the NUL character"


def _has_nul(value: Any) -> bool:
    """Whether any string in ``value`` (keys included, at any depth) holds NUL, which PostgreSQL text cannot store."""
    return any("\x00" in text for text in strings_in(value))


def load_admin_body(schema: marshmallow.Schema) -> dict[str, Any]:
    try:
        body = parsed_json_body()
    except InvalidJsonError as error:
        raise InvalidRequest("Invalid JSON supplied in POST data", 400) from error
    if not isinstance(body, dict):
        raise InvalidRequest("Invalid JSON supplied in POST data", 400)
    fields_with_nul = sorted(str(field) for field, value in body.items() if _has_nul(field) or _has_nul(value))
    if fields_with_nul:
        raise InvalidRequest({field: [NUL_MESSAGE] for field in fields_with_nul}, 400)
    try:
        loaded: dict[str, Any] = schema.load(body)
        return loaded
    except marshmallow.ValidationError as error:
        raise InvalidRequest(error.messages, 400) from error
