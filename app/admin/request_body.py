"""Load an admin request body through a marshmallow schema, turning its errors into InvalidRequest."""

from __future__ import annotations

from typing import Any

import marshmallow
from flask import request

from app.errors import InvalidRequest


def load_admin_body(schema: marshmallow.Schema) -> dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise InvalidRequest("Invalid JSON supplied in POST data", 400)
    try:
        loaded: dict[str, Any] = schema.load(body)
        return loaded
    except marshmallow.ValidationError as error:
        raise InvalidRequest(error.messages, 400) from error
