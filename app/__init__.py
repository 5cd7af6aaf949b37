"""Herald's Flask app factory: extensions, blueprints and error handlers, wired in one place."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, g, request

from app.celery.celery_app import make_celery
from app.clients.statsd_client import build_statsd_client, set_statsd_client
from app.encryption import init_encryption
from app.errors import register_error_handlers
from app.extensions import db, migrate
from app.logging_setup import configure_logging
from app.redis_store import init_redis
from app.request_metrics import register_request_metrics
from config import load_config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask("app")
    app.config.update(load_config())
    app.config.update(overrides or {})
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        raise RuntimeError("DATABASE_URL is not set (`make run` starts an embedded PostgreSQL and sets it)")
    configure_logging(app)
    # One client per process, installed before anything can emit: the API and the Celery worker (run_celery.py
    # builds this app) both send what STATSD_ENABLED/HOST/PORT say, prefixed by NOTIFY_ENVIRONMENT.
    set_statsd_client(build_statsd_client(app.config))
    init_encryption(app.config["ENCRYPTION_KEYS"], app.config["SECRET_KEY"])
    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_directory())
    init_redis(app)
    make_celery(app)
    register_error_handlers(app)
    register_request_metrics(app)
    _register_request_id(app)
    register_blueprints(app)
    register_commands(app)
    return app


def _migrations_directory() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


def _register_request_id(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        # A caller's id is kept only when it looks like one: it goes into every log line of the request.
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def register_blueprints(app: Flask) -> None:
    from app.admin.api_keys.rest import admin_api_keys
    from app.admin.billing.rest import admin_billing
    from app.admin.jobs.rest import admin_jobs
    from app.admin.letter_contacts.rest import admin_letter_contacts
    from app.admin.letters.rest import admin_letters
    from app.admin.providers.rest import admin_providers
    from app.admin.services.rest import admin_services
    from app.admin.statistics.rest import admin_statistics
    from app.admin.support_search.rest import admin_support_search
    from app.admin.templates.rest import admin_templates
    from app.delivery.rest import admin_deliver
    from app.documents.rest import documents_blueprint
    from app.inbound_sms.rest import receipts_inbound_sms
    from app.ops.rest import ops_console, ops_sign_in
    from app.receipts.letter_rest import receipts_letter
    from app.receipts.ses_rest import receipts_ses
    from app.receipts.sms_rest import receipts_sms
    from app.status.rest import status_blueprint

    # Importing a route module registers its routes on its blueprint.
    from app.v2.notifications import (  # noqa: F401
        get_letter_pdf,
        get_notifications,
        post_bulk,
        post_letter,
        post_notification,
        v2_notifications,
    )
    from app.v2.openapi import rest, v2_openapi  # noqa: F401
    from app.v2.received_text import get_inbound_sms, v2_inbound_sms  # noqa: F401
    from app.v2.template import get_template, post_template_preview, v2_template  # noqa: F401
    from app.v2.templates import get_templates, v2_templates  # noqa: F401

    for blueprint in (
        status_blueprint,
        admin_services,
        admin_api_keys,
        admin_providers,
        admin_deliver,
        admin_templates,
        admin_letter_contacts,
        admin_letters,
        admin_jobs,
        admin_statistics,
        admin_billing,
        admin_support_search,
        receipts_sms,
        receipts_ses,
        receipts_letter,
        receipts_inbound_sms,
        v2_notifications,
        v2_template,
        v2_templates,
        v2_inbound_sms,
        v2_openapi,
        documents_blueprint,
        ops_sign_in,
        ops_console,
    ):
        app.register_blueprint(blueprint)


def register_commands(app: Flask) -> None:
    from app.commands import register_cli_commands

    register_cli_commands(app)
