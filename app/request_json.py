"""Parse a request body as strict JSON, the one way every endpoint that takes JSON reads it.

Python's json module is lenient where PostgreSQL and the clients are not: it reads `NaN` and `Infinity`, raises
RecursionError (not ValueError) for deep nesting, and turns `"\\ud800"` into a lone surrogate that no encoder can
write back. Each of those is refused here, so it can reach neither a query nor a response.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NoReturn

from flask import request


class InvalidJsonError(ValueError):
    """The body is not JSON that Herald can store and answer with."""


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, object keys included, at any depth (iteratively: no recursion limit)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parsed_json_body() -> Any:
    """The request body as JSON, whatever its Content-Type. Raises InvalidJsonError when it is not JSON (NaN and
    Infinity are not), is not UTF-8, nests too deep, or escapes a lone UTF-16 surrogate."""
    try:
        body = json.loads(request.get_data(cache=True), parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidJsonError(str(error)) from error
    if any(_has_lone_surrogate(text) for text in strings_in(body)):
        raise InvalidJsonError("a string holds a lone surrogate")
    return body
