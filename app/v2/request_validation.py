"""Check a v2 request against a JSON schema and report every violation the way GOV.UK Notify words it.

Each violation becomes one `ValidationError` entry: `<field> <message>`, where the message is the schema's own
`validationMessage` when it has one (`older_than is not a valid UUID`) and jsonschema's otherwise, with single
quotes removed (`status elephant is not one of [cancelled, ...]`). Violations of the whole object carry no field
(`Additional properties are not allowed (x was unexpected)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft7Validator
from jsonschema import ValidationError as SchemaViolation

from app.errors import ValidationError

UUID_LENGTH = 36
UUID_PATTERN = "^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"

# Python's `$` also matches before a trailing newline (JSON Schema's ECMA-262 `$` does not), so the pattern alone
# would let `<uuid>\n` through to PostgreSQL; the exact length makes it a full match in both dialects.
UUID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": UUID_LENGTH,
    "maxLength": UUID_LENGTH,
    "pattern": UUID_PATTERN,
    "validationMessage": "is not a valid UUID",
}


def violation_message(violation: SchemaViolation) -> str:
    field = str(violation.path[0]) if violation.path else ""
    custom_message = violation.schema.get("validationMessage") if isinstance(violation.schema, Mapping) else None
    message = custom_message if custom_message and field else violation.message
    return f"{field} {message}" if field else message


def validate_request(data: Any, schema: Mapping[str, Any]) -> Any:
    """Return ``data`` unchanged when it satisfies ``schema``; raise ValidationError listing every violation."""
    violations = list(Draft7Validator(schema).iter_errors(data))
    if violations:
        raise ValidationError([violation_message(violation) for violation in violations])
    return data


def validate_uuid(value: str, field: str) -> str:
    """Return ``value`` when it is a UUID in its usual 36-character form; raise `<field> is not a valid UUID`."""
    validate_request({field: value}, {"type": "object", "properties": {field: UUID_SCHEMA}})
    return value
