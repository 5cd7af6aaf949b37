"""The provider clients of this process, built once on first use (pooled HTTP sessions, one boto3 client)."""

from __future__ import annotations

import threading

from flask import current_app

from app.clients.registry import ProviderClients, build_provider_clients
from app.clients.statsd_client import get_statsd_client

EXTENSION_KEY = "provider_clients"
_building = threading.Lock()


def provider_clients() -> ProviderClients:
    """The app's provider clients; worker threads share them (sessions and boto3 clients are thread-safe)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    clients: ProviderClients | None = app.extensions.get(EXTENSION_KEY)
    if clients is None:
        with _building:
            clients = app.extensions.get(EXTENSION_KEY)
            if clients is None:
                clients = build_provider_clients(app.config, get_statsd_client())
                app.extensions[EXTENSION_KEY] = clients
    return clients
