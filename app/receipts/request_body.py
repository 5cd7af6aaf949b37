"""The JSON object a provider POSTs to us. Providers' Content-Type headers are not to be relied on (SNS sends
`text/plain`), so the body is parsed whatever it claims to be."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import request

from app.errors import InvalidRequest


def json_object_body(failure: str) -> dict[str, Any]:
    """The request body as a JSON object; else InvalidRequest 400 `<failure>: invalid JSON given`.

    The caller bounds the body's size first (``request.max_content_length``); a body nested deeper than the parser's
    recursion limit is refused like any other invalid JSON.
    """
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError) as error:
        raise InvalidRequest([f"{failure}: invalid JSON given"], 400) from error
    if not isinstance(body, dict):
        raise InvalidRequest([f"{failure}: invalid JSON given"], 400)
    return body


def body_size_limit(max_bytes: int) -> Callable[[], None]:
    """A before-request hook bounding the body before anything reads it: a longer body is answered 413 unread (werkzeug
    stops reading a chunked body at the limit too)."""

    def limit_body_size() -> None:
        request.max_content_length = max_bytes

    return limit_body_size
