"""Immutable snapshots of services and API keys, cached for the request hot path instead of ORM rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SerialisedApiKey:
    id: uuid.UUID
    name: str
    secret: str
    key_type: str
    expiry_date: datetime | None

    @property
    def is_revoked(self) -> bool:
        return self.expiry_date is not None


@dataclass(frozen=True)
class SerialisedService:
    id: uuid.UUID
    name: str
    active: bool
    restricted: bool
    rate_limit: int
    sms_message_limit: int
    email_message_limit: int
    international_sms_message_limit: int
    letter_message_limit: int
    email_sender_local_part: str
    custom_email_sender_name: str | None
    prefix_sms: bool
    permissions: frozenset[str]
    guest_list: frozenset[str]
    contact_link: str | None = None

    def has_permission(self, permission: str) -> bool:
        return permission in self.permissions
