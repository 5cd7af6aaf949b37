"""Validate response bodies against the JSON schemas GOV.UK Notify's official clients test with.

The schemas are copied (with their licence) into `tests/contract_schemas/` so the suite does not depend on
anything outside the repository. Each file is registered under its own name, so a `$ref` to another file resolves.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

CLIENT_SCHEMAS_DIRECTORY = Path(__file__).resolve().parent / "contract_schemas"


@cache
def client_schema_registry() -> Registry:
    """Every client schema, registered under its file name (the schemas are draft-04 unless they say otherwise)."""
    resources = [
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT4))
        for path in sorted(CLIENT_SCHEMAS_DIRECTORY.glob("*.json"))
    ]
    return Registry().with_resources(resources)


def client_schema(schema_file_name: str) -> dict[str, Any]:
    name = schema_file_name if schema_file_name.endswith(".json") else f"{schema_file_name}.json"
    return client_schema_registry().contents(name)


def validate_against_client_schema(body: Any, schema_file_name: str) -> None:
    """Raise jsonschema.ValidationError unless ``body`` satisfies the named client schema.

    ``schema_file_name`` is a file in `tests/contract_schemas/`, with or without `.json`, e.g.
    `notification_schemas.get_notification_response`.
    """
    schema = client_schema(schema_file_name)
    validator_class = validators.validator_for(schema)
    validator_class(schema, registry=client_schema_registry()).validate(body)
