"""Fixtures for the delivery tests: send_task patched (to assert what gets queued); provider clients with test keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.clients.registry import ProviderClients, build_provider_clients
from app.clients.statsd_client import StatsdClient
from app.delivery.provider_clients import PROVIDER_CLIENTS


@pytest.fixture
def provider_clients(notify_api: Flask) -> Iterator[ProviderClients]:
    """This process's provider clients, built with dummy AWS keys (for moto or a botocore Stubber)."""
    config = {**notify_api.config, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    clients = build_provider_clients(config, StatsdClient(enabled=False))
    notify_api.extensions[PROVIDER_CLIENTS.name] = clients
    yield clients
    notify_api.extensions.pop(PROVIDER_CLIENTS.name, None)
