"""The print provider client of this process, built once from settings on first use (one pooled session, one JWT)."""

from __future__ import annotations

from flask import current_app

from app.caches import AppObjectName, app_object
from app.clients.letter.dvla import DvlaClient
from app.clients.statsd_client import get_statsd_client

PRINT_CLIENT = AppObjectName[DvlaClient]("herald_print_client")


def print_client() -> DvlaClient:
    config = current_app.config
    return app_object(
        PRINT_CLIENT,
        lambda: DvlaClient(
            base_url=config["DVLA_API_BASE_URL"],
            username=config["DVLA_API_USERNAME"],
            password=config["DVLA_API_PASSWORD"],
            api_key=config["DVLA_API_KEY"],
            timeout_seconds=float(config["PROVIDER_TIMEOUT_SECONDS"]),
            statsd=get_statsd_client(),
        ),
    )
