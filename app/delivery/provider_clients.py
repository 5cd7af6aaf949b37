"""The provider clients of this process, built once on first use (pooled HTTP sessions, one boto3 client)."""

from __future__ import annotations

from flask import current_app

from app.caches import AppObjectName, app_object
from app.clients.registry import ProviderClients, build_provider_clients
from app.clients.statsd_client import get_statsd_client

PROVIDER_CLIENTS = AppObjectName[ProviderClients]("herald_provider_clients")


def provider_clients() -> ProviderClients:
    """The app's provider clients; worker threads share them (sessions and boto3 clients are thread-safe)."""
    config = current_app.config
    return app_object(PROVIDER_CLIENTS, lambda: build_provider_clients(config, get_statsd_client()))
