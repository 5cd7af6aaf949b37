"""Schema violations become ValidationError entries worded like GOV.UK Notify's."""

from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.v2.request_validation import UUID_SCHEMA, validate_request, validate_uuid

SCHEMA = {
    "type": "object",
    "properties": {"id": UUID_SCHEMA, "kind": {"enum": ["a", "b"]}, "count": {"type": "integer", "minimum": 1}},
    "required": ["id"],
    "additionalProperties": False,
}


def test_valid_data_is_returned_unchanged() -> None:
    data = {"id": "5ab2b1a4-1f5d-4e3a-9a4c-3f1c2b4d5e6f", "kind": "a"}

    assert validate_request(data, SCHEMA) is data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "id is a required property"),
        ({"id": "x"}, "id is not a valid UUID"),
        ({"id": "5ab2b1a4-1f5d-4e3a-9a4c-3f1c2b4d5e6f", "kind": "c"}, "kind c is not one of [a, b]"),
        ({"id": "5ab2b1a4-1f5d-4e3a-9a4c-3f1c2b4d5e6f", "count": 0}, "count 0 is less than the minimum of 1"),
        (
            {"id": "5ab2b1a4-1f5d-4e3a-9a4c-3f1c2b4d5e6f", "x": 1},
            "Additional properties are not allowed (x was unexpected)",
        ),
        ([1], "[1] is not of type object"),
    ],
    ids=["required", "custom-message", "enum", "minimum", "additional-property", "wrong-type"],
)
def test_a_violation_is_worded_like_notify(data: object, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        validate_request(data, SCHEMA)

    assert raised.value.messages() == [message]


def test_validate_uuid_names_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        validate_uuid("nope", "notification_id")

    assert raised.value.messages() == ["notification_id is not a valid UUID"]
