"""The shape of a bulk-send request body, checked at the edge by the public and the admin API alike.

`{"name", "template_id", "rows": [[header...], [values...], ...]}` or `{"name", "template_id", "csv": "<text>"}`,
with optional `scheduled_for` (ISO 8601, up to 96 hours ahead) and `reply_to_id` (an SMS sender or email reply-to
of the service). Messages follow Notify's v2 schema errors: `template_id is a required property`,
`template_id is not a valid UUID`, `Additional properties are not allowed (x was unexpected)`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from app.errors import ValidationError
from app.jobs.create_job import JobRequest
from app.jobs.schedule import parse_scheduled_for
from app.v2.request_validation import UUID_PATTERN

MAX_NAME_LENGTH = 255
_CANONICAL_UUID = re.compile(UUID_PATTERN.removeprefix("^").removesuffix("$"))
FIELDS = ("name", "template_id", "rows", "csv", "scheduled_for", "reply_to_id")


def parse_job_request(body: Any, *, now: datetime, extra_fields: Collection[str] = ()) -> JobRequest:
    """Check the body's shape and read it. Raises ValidationError listing every problem."""
    if not isinstance(body, dict):
        raise ValidationError(["Request body is not of type object"])
    problems = [
        f"Additional properties are not allowed ({name} was unexpected)"
        for name in body
        if name not in FIELDS and name not in extra_fields
    ]
    problems += _name_problems(body)
    problems += _uuid_problems(body, "template_id", is_required=True)
    problems += _uuid_problems(body, "reply_to_id", is_required=False)
    problems += _recipient_problems(body)
    if body.get("scheduled_for") is not None and not isinstance(body["scheduled_for"], str):
        problems.append("scheduled_for is not of type string")
    if problems:
        raise ValidationError(problems)
    scheduled_for = body.get("scheduled_for")
    reply_to_id = body.get("reply_to_id")
    return JobRequest(
        name=body["name"],
        template_id=uuid.UUID(body["template_id"]),
        rows=body.get("rows"),
        csv=body.get("csv"),
        scheduled_for=parse_scheduled_for(scheduled_for, now=now) if scheduled_for is not None else None,
        reply_to_id=uuid.UUID(reply_to_id) if reply_to_id is not None else None,
    )


def _name_problems(body: dict[str, Any]) -> list[str]:
    if "name" not in body:
        return ["name is a required property"]
    name = body["name"]
    if not isinstance(name, str):
        return ["name is not of type string"]
    if not name.strip():
        return ["name should be non-empty"]
    if len(name) > MAX_NAME_LENGTH:
        return [f"name is too long (maximum {MAX_NAME_LENGTH} characters)"]
    if "\x00" in name:  # PostgreSQL text cannot hold it
        return ["name must not contain the NUL character"]
    return []


def _uuid_problems(body: dict[str, Any], field: str, *, is_required: bool) -> list[str]:
    value = body.get(field)
    if value is None:
        return [f"{field} is a required property"] if is_required else []
    # The 36-character form only, as everywhere in the v2 API (uuid.UUID also reads braces, urn: and bare hex).
    if not isinstance(value, str) or not _CANONICAL_UUID.fullmatch(value):
        return [f"{field} is not a valid UUID"]
    return []


def _recipient_problems(body: dict[str, Any]) -> list[str]:
    has_rows, has_csv = body.get("rows") is not None, body.get("csv") is not None
    if has_rows == has_csv:
        return ["Provide either rows or csv" if not has_rows else "Provide either rows or csv, not both"]
    if has_rows and not isinstance(body["rows"], list):
        return ["rows is not of type array"]
    if has_csv and not isinstance(body["csv"], str):
        return ["csv is not of type string"]
    return []
