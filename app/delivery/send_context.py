"""What a send needs besides the notification itself — its service, its template version, the providers — as plain
snapshots cached in-process, so that most sends read only the notification row from the database.

- A template version never changes once written: cached until the process ends (bounded).
- A service: cached for SEND_CACHE_SECONDS, so a service that is deactivated stops sending within that long. Its
  default SMS sender and reply-to address come from the API's own cache of them (`app/notifications/senders.py`).
- Provider weights and switches: cached for at most PROVIDER_CACHE_SECONDS, so an operator's change or a burst of
  errors moves traffic within a second. A failed attempt's retry avoids the failed provider whatever the cache says.

The values are frozen dataclasses (a service is the `SerialisedService` the API uses), never ORM rows: they
outlive the session that loaded them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app

from app.caches import CacheName, app_cache
from app.dao.provider_details_dao import dao_list_provider_details
from app.dao.services_dao import dao_get_serialised_service
from app.dao.templates_dao import dao_get_template_history_by_id_and_version
from app.serialised_models import SerialisedService

PROVIDER_CACHE_SECONDS = 1.0
TEMPLATE_VERSIONS_KEPT = 4096


@dataclass(frozen=True)
class TemplateVersion:
    content: str
    subject: str | None
    process_type: str


@dataclass(frozen=True)
class ProviderOption:
    identifier: str
    priority: int
    active: bool
    supports_international: bool


SERVICES_FOR_SENDING = CacheName[SerialisedService]("herald_services_for_sending")
PROVIDERS_FOR_SENDING = CacheName[tuple[ProviderOption, ...]]("herald_providers_for_sending")


def service_for_sending(service_id: uuid.UUID) -> SerialisedService:
    """The service as a send sees it; raises NoResultFound for an unknown id."""
    return app_cache(SERVICES_FOR_SENDING, current_app.config["SEND_CACHE_SECONDS"]).get(
        service_id, lambda: dao_get_serialised_service(service_id)
    )


def template_version_for_sending(template_id: uuid.UUID, version: int) -> TemplateVersion:
    return _template_version(template_id, version)


def provider_options(notification_type: str) -> tuple[ProviderOption, ...]:
    """Every provider of ``notification_type`` (active or not), with its weight."""
    ttl_seconds = min(current_app.config["SEND_CACHE_SECONDS"], PROVIDER_CACHE_SECONDS)
    return app_cache(PROVIDERS_FOR_SENDING, ttl_seconds).get(
        notification_type, lambda: _load_providers(notification_type)
    )


@lru_cache(maxsize=TEMPLATE_VERSIONS_KEPT)
def _template_version(template_id: uuid.UUID, version: int) -> TemplateVersion:
    template = dao_get_template_history_by_id_and_version(template_id, version)
    return TemplateVersion(content=template.content, subject=template.subject, process_type=template.process_type)


def _load_providers(notification_type: str) -> tuple[ProviderOption, ...]:
    return tuple(
        ProviderOption(
            identifier=provider.identifier,
            priority=provider.priority,
            active=provider.active,
            supports_international=provider.supports_international,
        )
        for provider in dao_list_provider_details(notification_type)
    )
