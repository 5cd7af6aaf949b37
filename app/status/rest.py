"""GET /_status: 200 when the database and the broker answer, 503 otherwise."""

from __future__ import annotations

import logging

from flask import Response, current_app, jsonify

from app.authentication.auth import requires_no_auth
from app.celery import task_queue
from app.dao.status_dao import dao_get_database_version
from app.envelopes import Envelope, HeraldBlueprint

logger = logging.getLogger(__name__)

status_blueprint = HeraldBlueprint("status", __name__, envelope=Envelope.PUBLIC)
status_blueprint.before_request(requires_no_auth)


def _broker_answers() -> bool:
    celery = task_queue.celery_app()
    try:
        with celery.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # any transport error means "not healthy"; the details go to the log
        logger.warning("Broker health check failed", exc_info=True)
        return False


@status_blueprint.route("/_status", methods=["GET"])
def show_status() -> tuple[Response, int]:
    try:
        db_version = dao_get_database_version()
    except Exception:  # the database being down is exactly what this endpoint reports
        logger.warning("Database health check failed", exc_info=True)
        return jsonify(status="error", message="database unavailable"), 503
    if not _broker_answers():
        return jsonify(status="error", message="broker unavailable", db_version=db_version), 503
    return jsonify(status="ok", db_version=db_version, commit=current_app.config["GIT_COMMIT"]), 200
