"""build_provider_clients configures each provider client from config; ProviderClients finds them by name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses

from app.clients.registry import ProviderClients, UnknownProviderError, build_provider_clients
from app.clients.statsd_client import StatsdClient

MMG_URL = "https://api.mmg.example/jsonv2a/api.php"
FIRETEXT_URL = "https://www.firetext.example/api/sendsms/json"
CONFIG: dict[str, Any] = {
    "MMG_URL": MMG_URL,
    "MMG_API_KEY": "mmg-key",
    "MMG_RECEIPT_URL": "https://herald.example/notifications/sms/mmg",
    "FIRETEXT_URL": FIRETEXT_URL,
    "FIRETEXT_API_KEY": "firetext-key",
    "FIRETEXT_INTERNATIONAL_API_KEY": "firetext-international-key",
    "FIRETEXT_RECEIPT_URL": "",
    "AWS_REGION": "eu-west-1",
    "SES_ENDPOINT_URL": None,
    # Explicit keys: without them boto3 would ask the instance metadata service for credentials.
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "PROVIDER_TIMEOUT_SECONDS": 3.5,
}


@pytest.fixture
def clients(disabled_statsd: StatsdClient) -> ProviderClients:
    return build_provider_clients(CONFIG, disabled_statsd)


@pytest.fixture
def mocked_responses() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


@pytest.mark.parametrize(
    ("notification_type", "identifier"),
    [("sms", "mmg"), ("sms", "firetext"), ("email", "ses")],
    ids=["mmg", "firetext", "ses"],
)
def test_each_provider_client_is_found_by_its_identifier(
    clients: ProviderClients, notification_type: str, identifier: str
):
    client = clients.sms(identifier) if notification_type == "sms" else clients.email(identifier)

    assert client.name == identifier


def test_an_unknown_sms_provider_is_an_unknown_provider_error(clients: ProviderClients):
    with pytest.raises(UnknownProviderError, match="'ses'"):
        clients.sms("ses")


def test_an_unknown_email_provider_is_an_unknown_provider_error(clients: ProviderClients):
    with pytest.raises(UnknownProviderError, match="'mmg'"):
        clients.email("mmg")


def test_the_mmg_client_sends_with_the_configured_url_key_receipt_url_and_timeout(
    clients: ProviderClients, mocked_responses: responses.RequestsMock
):
    mocked_responses.post(MMG_URL, json={"Reference": 1})

    clients.sms("mmg").send_sms(
        to="447700900123", content="Hi", reference="ref", sender="GOVUK", is_international=False
    )

    request = mocked_responses.calls[0].request
    assert (
        request.headers["Authorization"],
        json.loads(request.body)["delurl"],
        request.req_kwargs["timeout"],
    ) == ("Basic mmg-key", "https://herald.example/notifications/sms/mmg", 3.5)


def test_the_firetext_client_treats_an_empty_receipt_url_as_unset(
    clients: ProviderClients, mocked_responses: responses.RequestsMock
):
    mocked_responses.post(FIRETEXT_URL, json={"code": 0})

    clients.sms("firetext").send_sms(
        to="447700900123", content="Hi", reference="ref", sender="GOVUK", is_international=False
    )

    assert "receipt" not in parse_qs(mocked_responses.calls[0].request.body)


def test_the_firetext_client_uses_the_configured_international_key(
    clients: ProviderClients, mocked_responses: responses.RequestsMock
):
    mocked_responses.post(FIRETEXT_URL, json={"code": 0})

    clients.sms("firetext").send_sms(
        to="61412345678", content="Hi", reference="ref", sender=None, is_international=True
    )

    assert parse_qs(mocked_responses.calls[0].request.body)["apiKey"] == ["firetext-international-key"]


def test_the_ses_client_uses_the_configured_region_and_timeout(clients: ProviderClients):
    boto_config = clients.email("ses").boto_client.meta.config  # type: ignore[attr-defined]

    assert (boto_config.region_name, boto_config.connect_timeout, boto_config.read_timeout) == ("eu-west-1", 3.5, 3.5)


def test_the_ses_client_uses_the_configured_endpoint(disabled_statsd: StatsdClient):
    clients = build_provider_clients(CONFIG | {"SES_ENDPOINT_URL": "http://127.0.0.1:9911"}, disabled_statsd)

    assert clients.email("ses").boto_client.meta.endpoint_url == "http://127.0.0.1:9911"  # type: ignore[attr-defined]
