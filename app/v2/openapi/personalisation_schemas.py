"""The document's schemas for personalisation: what a value may be, and a file to send by email.

They state what `app/notifications/personalisation.py` and `file_uploads.py` enforce, so that a request the
document calls valid is refused only for what depends on data (a service that has not set up sending files, a file
whose bytes are not a supported type).
"""

from __future__ import annotations

from typing import Any

from app.notifications.file_uploads import (
    MAX_ENCODED_LENGTH,
    MAX_FILENAME_LENGTH,
    MAX_RETENTION_WEEKS,
    MIN_RETENTION_WEEKS,
    SUPPORTED_EXTENSIONS,
)

WITHOUT_NUL = "^[^\\u0000]*$"
TEXT = {"type": "string", "pattern": WITHOUT_NUL}
SCALAR = {"anyOf": [TEXT, {"type": "number"}, {"type": "boolean"}, {"type": "null"}]}


def _ref(schema_name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{schema_name}"}


def _any_case(word: str) -> str:
    return "".join(f"[{letter.lower()}{letter.upper()}]" if letter.isalpha() else letter for letter in word)


def _retention_weeks_pattern() -> str:
    weeks = "|".join(str(week) for week in range(MIN_RETENTION_WEEKS, MAX_RETENTION_WEEKS + 1))
    return f"^({weeks}) weeks?$"


FILE_UPLOAD: dict[str, Any] = {
    "type": "object",
    "description": "A file to send by email (what the official clients' `prepare_upload` gives).",
    "properties": {
        "file": {
            "type": "string",
            "maxLength": MAX_ENCODED_LENGTH,
            "contentEncoding": "base64",
            "pattern": "^[A-Za-z0-9+/=\\s]*$",
        },
        "filename": {
            "anyOf": [
                {
                    "type": "string",
                    "maxLength": MAX_FILENAME_LENGTH,
                    "pattern": f"^[^\\u0000]*\\S[^\\u0000]*\\.({'|'.join(map(_any_case, SUPPORTED_EXTENSIONS))})$",
                },
                {"type": "null"},
            ]
        },
        "confirm_email_before_download": {"type": ["boolean", "null"]},
        "is_csv": {"type": ["boolean", "null"]},
        "retention_period": {"anyOf": [{"type": "string", "pattern": _retention_weeks_pattern()}, {"type": "null"}]},
    },
    "required": ["file"],
    "additionalProperties": False,
}

PERSONALISATION_VALUE: dict[str, Any] = {"anyOf": [*SCALAR["anyOf"], {"type": "array", "items": SCALAR}]}

PERSONALISATION_SCHEMAS: dict[str, Any] = {
    "PersonalisationValue": PERSONALISATION_VALUE,
    "FileUpload": FILE_UPLOAD,
    "Personalisation": {
        "type": "object",
        "description": "Placeholder values, by placeholder name: text, numbers, true/false, null or lists of those.",
        "propertyNames": {"pattern": WITHOUT_NUL},
        "additionalProperties": _ref("PersonalisationValue"),
    },
    "EmailPersonalisation": {
        "type": "object",
        "description": "As Personalisation, and a value may be a file to send.",
        "propertyNames": {"pattern": WITHOUT_NUL},
        "additionalProperties": {
            "anyOf": [
                {"$ref": "#/components/schemas/PersonalisationValue"},
                {"$ref": "#/components/schemas/FileUpload"},
            ]
        },
    },
}
