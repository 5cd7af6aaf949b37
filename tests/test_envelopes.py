"""Errors are rendered in the envelope their blueprint declares, whatever the blueprint is called."""

from __future__ import annotations

import pytest
from flask import Flask

from app.envelopes import Envelope, HeraldBlueprint
from app.errors import BadRequestError, register_error_handlers


def _app_with(blueprint: HeraldBlueprint) -> Flask:
    @blueprint.route("/fail")
    def fail() -> str:
        raise BadRequestError("Nope")

    app = Flask(__name__)
    register_error_handlers(app)
    app.register_blueprint(blueprint, url_prefix=f"/{blueprint.name}")
    return app


def test_a_blueprint_declared_admin_renders_the_admin_envelope_whatever_its_name() -> None:
    app = _app_with(HeraldBlueprint("v2_looking", __name__, envelope=Envelope.ADMIN))

    response = app.test_client().get("/v2_looking/fail")

    assert (response.status_code, response.get_json()) == (400, {"result": "error", "message": "Nope"})


def test_a_blueprint_declared_public_renders_the_public_envelope_whatever_its_name() -> None:
    app = _app_with(HeraldBlueprint("receipts_looking", __name__, envelope=Envelope.PUBLIC))

    response = app.test_client().get("/receipts_looking/fail")

    assert (response.status_code, response.get_json()) == (
        400,
        {"status_code": 400, "errors": [{"error": "BadRequestError", "message": "Nope"}]},
    )


def test_a_url_no_blueprint_serves_gets_the_public_envelope() -> None:
    app = _app_with(HeraldBlueprint("admin_area", __name__, envelope=Envelope.ADMIN))

    response = app.test_client().get("/nowhere")

    assert response.get_json() == {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "Not Found"}]}


def test_every_blueprint_of_the_api_declares_its_envelope(notify_api: Flask) -> None:
    undeclared = [
        name for name, blueprint in notify_api.blueprints.items() if not isinstance(blueprint, HeraldBlueprint)
    ]

    assert undeclared == []


# Admin and provider-facing blueprints that answer in the v2 envelope on purpose: support search's callers read its
# errors as the v2 API's; the print provider's despatch confirmations get the envelope Notify's letter callback gives.
PUBLIC_ENVELOPE_ADMIN_BLUEPRINTS = {"admin_support_search", "receipts_letter"}


@pytest.mark.parametrize(
    ("prefix", "envelope"),
    [("admin_", Envelope.ADMIN), ("receipts_", Envelope.ADMIN), ("v2_", Envelope.PUBLIC)],
    ids=["admin", "provider-facing", "public"],
)
def test_each_area_of_the_api_keeps_its_envelope(notify_api: Flask, prefix: str, envelope: Envelope) -> None:
    blueprints = [
        blueprint
        for name, blueprint in notify_api.blueprints.items()
        if name.startswith(prefix) and name not in PUBLIC_ENVELOPE_ADMIN_BLUEPRINTS
    ]

    assert blueprints
    assert {blueprint.envelope for blueprint in blueprints if isinstance(blueprint, HeraldBlueprint)} == {envelope}


def test_only_the_listed_admin_blueprints_answer_in_the_public_envelope(notify_api: Flask) -> None:
    public_admin = {
        name
        for name, blueprint in notify_api.blueprints.items()
        if name.startswith(("admin_", "receipts_")) and getattr(blueprint, "envelope", None) is Envelope.PUBLIC
    }

    assert public_admin == PUBLIC_ENVELOPE_ADMIN_BLUEPRINTS
