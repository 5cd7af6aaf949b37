"""Build every provider client from configuration, once per process, and find each by its identifier.

The configuration keys it reads (config.py defines them):

| key | used for |
| --- | --- |
| `MMG_URL`, `MMG_API_KEY` | MMG's send endpoint and its key (sent as `Authorization: Basic <key>`) |
| `MMG_RECEIPT_URL` | optional: sent as `delurl` so MMG posts receipts there |
| `FIRETEXT_URL`, `FIRETEXT_API_KEY` | Firetext's send endpoint and its key |
| `FIRETEXT_INTERNATIONAL_API_KEY` | optional: the key for international sends |
| `FIRETEXT_RECEIPT_URL` | optional: sent as `receipt` so Firetext posts receipts there |
| `AWS_REGION`, `SES_ENDPOINT_URL` | SES's region, and optionally another endpoint (a simulator, moto) |
| `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` | optional: otherwise boto3's usual credential chain |
| `PROVIDER_TIMEOUT_SECONDS` | connect and read timeout of every provider call (default 10) |

An empty string counts as unset for the optional keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.clients.email.aws_ses import AwsSesClient
from app.clients.provider import EmailProviderClient, SmsProviderClient
from app.clients.sms.firetext import FiretextClient
from app.clients.sms.mmg import MmgClient
from app.clients.statsd_client import StatsdClient

MMG_URL = "MMG_URL"
MMG_API_KEY = "MMG_API_KEY"
MMG_RECEIPT_URL = "MMG_RECEIPT_URL"
FIRETEXT_URL = "FIRETEXT_URL"
FIRETEXT_API_KEY = "FIRETEXT_API_KEY"
FIRETEXT_INTERNATIONAL_API_KEY = "FIRETEXT_INTERNATIONAL_API_KEY"
FIRETEXT_RECEIPT_URL = "FIRETEXT_RECEIPT_URL"
AWS_REGION = "AWS_REGION"
SES_ENDPOINT_URL = "SES_ENDPOINT_URL"
AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID"
AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY"
PROVIDER_TIMEOUT_SECONDS = "PROVIDER_TIMEOUT_SECONDS"
DEFAULT_PROVIDER_TIMEOUT_SECONDS = 10.0


class UnknownProviderError(LookupError):
    """No client is registered under that identifier for that notification type."""


@dataclass(frozen=True)
class ProviderClients:
    """The provider clients of one process, by identifier (`mmg`, `firetext`, `ses`)."""

    sms_clients: Mapping[str, SmsProviderClient]
    email_clients: Mapping[str, EmailProviderClient]

    def sms(self, identifier: str) -> SmsProviderClient:
        try:
            return self.sms_clients[identifier]
        except KeyError:
            raise UnknownProviderError(f"no SMS provider client named {identifier!r}") from None

    def email(self, identifier: str) -> EmailProviderClient:
        try:
            return self.email_clients[identifier]
        except KeyError:
            raise UnknownProviderError(f"no email provider client named {identifier!r}") from None


def build_provider_clients(config: Mapping[str, Any], statsd: StatsdClient) -> ProviderClients:
    """Every provider client, configured from `config`; each SMS client gets its own pooled HTTP session."""
    timeout_seconds = float(config.get(PROVIDER_TIMEOUT_SECONDS) or DEFAULT_PROVIDER_TIMEOUT_SECONDS)
    mmg = MmgClient(
        url=config[MMG_URL],
        api_key=config[MMG_API_KEY],
        receipt_url=_optional(config, MMG_RECEIPT_URL),
        timeout_seconds=timeout_seconds,
        statsd=statsd,
    )
    firetext = FiretextClient(
        url=config[FIRETEXT_URL],
        api_key=config[FIRETEXT_API_KEY],
        international_api_key=_optional(config, FIRETEXT_INTERNATIONAL_API_KEY),
        receipt_url=_optional(config, FIRETEXT_RECEIPT_URL),
        timeout_seconds=timeout_seconds,
        statsd=statsd,
    )
    ses = AwsSesClient(
        region=config[AWS_REGION],
        statsd=statsd,
        endpoint_url=_optional(config, SES_ENDPOINT_URL),
        aws_access_key_id=_optional(config, AWS_ACCESS_KEY_ID),
        aws_secret_access_key=_optional(config, AWS_SECRET_ACCESS_KEY),
        timeout_seconds=timeout_seconds,
    )
    return ProviderClients(sms_clients={mmg.name: mmg, firetext.name: firetext}, email_clients={ses.name: ses})


def _optional(config: Mapping[str, Any], key: str) -> str | None:
    value = config.get(key)
    return str(value) if value else None
