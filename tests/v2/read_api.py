"""Helpers for the tests of the v2 read endpoints: a service with a key, and authenticated GETs and POSTs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.models import ApiKey, Service
from tests.auth_helpers import service_auth_header
from tests.factories import create_api_key, create_service


@dataclass(frozen=True)
class ServiceWithKey:
    service: Service
    api_key: ApiKey


def create_service_with_key(*, key_type: str = "normal", **service_settings: Any) -> ServiceWithKey:
    service = create_service(**service_settings)
    return ServiceWithKey(service=service, api_key=create_api_key(service=service, key_type=key_type))


def get_as(client: FlaskClient, api_key: ApiKey, url: str) -> TestResponse:
    return client.get(url, headers=[service_auth_header(api_key)])


def post_as(
    client: FlaskClient, api_key: ApiKey, url: str, body: Any = None, *, data: str | None = None
) -> TestResponse:
    if data is not None:
        return client.post(url, data=data, headers=[service_auth_header(api_key)])
    return client.post(url, json=body, headers=[service_auth_header(api_key)])
