"""The query string of a support search, checked once at the edge: exactly one of recipient, reference and id, the
operator making it, and an optional `older_than` cursor; every value bounded before any work is done on it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from app.errors import BadRequestError
from app.models import SupportSearchKind
from app.recipients.email_addresses import MAX_ADDRESS_LENGTH
from app.v2.notifications.schemas import MAX_REFERENCE_LENGTH
from app.v2.request_validation import UUID_SCHEMA, validate_request

MAX_OPERATOR_LENGTH = 255
# An operator is named by the admin client's own user id or email address: no spaces, quotes or control characters.
OPERATOR_PATTERN = r"^[A-Za-z0-9._@+\-:]+$"

# Every message names the field, never the value: a recipient searched for must not come back in an error.
SUPPORT_SEARCH_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "recipient": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_ADDRESS_LENGTH,
            "validationMessage": f"must be an email address or a mobile number of at most {MAX_ADDRESS_LENGTH} "
            "characters",
        },
        "reference": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_REFERENCE_LENGTH,
            "pattern": "^[^\\x00]*$",
            "validationMessage": f"must be 1 to {MAX_REFERENCE_LENGTH} characters, without NUL",
        },
        "id": UUID_SCHEMA,
        "older_than": UUID_SCHEMA,
        "searched_by": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_OPERATOR_LENGTH,
            "pattern": OPERATOR_PATTERN,
            "validationMessage": f"must name the operator: 1 to {MAX_OPERATOR_LENGTH} letters, digits or ._@+-:",
        },
    },
    "required": ["searched_by"],
    "additionalProperties": False,
}
SEARCH_KINDS = tuple(kind.value for kind in SupportSearchKind)


@dataclass(frozen=True)
class SupportSearchRequest:
    kind: SupportSearchKind
    value: str
    searched_by: str
    older_than: uuid.UUID | None


def parse_support_search_request(arguments: MultiDict[str, str]) -> SupportSearchRequest:
    """Read and check the query string; raise `ValidationError` or `BadRequestError` (values never echoed)."""
    repeated = sorted(name for name in arguments if len(arguments.getlist(name)) > 1)
    if repeated:
        raise BadRequestError(f"Give each parameter once: {', '.join(repeated)[:200]}")
    parameters = validate_request(arguments.to_dict(), SUPPORT_SEARCH_REQUEST)
    kinds = [kind for kind in SEARCH_KINDS if kind in parameters]
    if len(kinds) != 1:
        raise BadRequestError("Search by exactly one of recipient, reference and id")
    kind = SupportSearchKind(kinds[0])
    older_than = parameters.get("older_than")
    if not re.fullmatch(OPERATOR_PATTERN, parameters["searched_by"]):
        raise BadRequestError("searched_by must name the operator")  # Python's `$` allows a final newline
    return SupportSearchRequest(
        kind=kind,
        value=str(uuid.UUID(parameters[kind])) if kind is SupportSearchKind.ID else parameters[kind],
        searched_by=parameters["searched_by"],
        older_than=uuid.UUID(older_than) if older_than else None,
    )
