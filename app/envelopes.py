"""Which error envelope a request's errors are rendered in, declared by each blueprint when it is created."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask import Blueprint, current_app, request


class Envelope(StrEnum):
    # {"status_code": N, "errors": [{"error": ..., "message": ...}]}: the public v2 API (GOV.UK Notify's)
    PUBLIC = "public"
    # {"result": "error", "message": ...}: the internal admin API and the endpoints providers call
    ADMIN = "admin"


class HeraldBlueprint(Blueprint):
    """A Blueprint that names the envelope its errors are rendered in."""

    def __init__(self, name: str, import_name: str, *, envelope: Envelope, **options: Any) -> None:
        super().__init__(name, import_name, **options)
        self.envelope = envelope


def request_envelope() -> Envelope:
    """The envelope of the blueprint serving this request; PUBLIC for a URL no blueprint serves (a 404)."""
    name = request.blueprint
    blueprint = current_app.blueprints.get(name) if name else None
    return blueprint.envelope if isinstance(blueprint, HeraldBlueprint) else Envelope.PUBLIC
