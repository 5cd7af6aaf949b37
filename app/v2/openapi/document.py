"""Herald's OpenAPI 3.1 document for its public API (served at GET /openapi.json)."""

from __future__ import annotations

from typing import Any

from app.v2.openapi.component_schemas import COMPONENT_SCHEMAS
from app.v2.openapi.paths import PUBLIC_API_PATHS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "2.0.0"


def openapi_document(server_url: str) -> dict[str, Any]:
    """The whole document; ``server_url`` is where this Herald answers (the API lives at the host root)."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Herald public API",
            "version": API_VERSION,
            "description": (
                "Send text messages and emails, and read them back. Wire-compatible with GOV.UK Notify's v2 API, "
                "so its official clients work unchanged. Every error has the body "
                '`{"status_code": N, "errors": [{"error": "<Type>", "message": "<text>"}]}`.'
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "security": [{"BearerAuth": []}],
        "paths": PUBLIC_API_PATHS,
        "components": {
            "schemas": COMPONENT_SCHEMAS,
            "securitySchemes": {
                "BearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "HS256 JWT with `iss` (the service id) and `iat`, signed with the API key's secret.",
                }
            },
        },
    }
