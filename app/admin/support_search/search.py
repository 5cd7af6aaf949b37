"""Search one service's notifications for support staff (by recipient, client reference or id), with each one's
status timeline, and record who searched for what before the answer leaves.

A recipient is normalised as a send would have normalised it and looked up by its keyed hash, the only form history
keeps. Notifications moved to history before migration 0011 have no hash and are not found by recipient (by id and
reference they are). The audit row holds a keyed hash of the searched value, never the value, and is committed before
the results are returned, so a search whose audit cannot be written is never answered.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.admin.support_search.search_request import SupportSearchRequest
from app.clock import utc_now
from app.dao.support_search_dao import (
    FoundNotification,
    StatusEvent,
    SupportSearch,
    dao_create_support_search_audit,
    dao_get_notification_position_for_service,
    dao_list_notifications_for_support_search,
    dao_list_status_events,
)
from app.errors import BadRequestError
from app.models import SupportSearchAudit, SupportSearchKind
from app.notification_status import NotificationStatus
from app.recipients.errors import InvalidRecipientError
from app.recipients.search_hash import keyed_hash, normalise_searched_recipient

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchSettings:
    """What a search needs from configuration: the hashing key, the history window and the page size."""

    recipient_search_key: str
    history_days: int
    page_size: int
    admin_client_id: str


@dataclass(frozen=True)
class SearchResult:
    notification: FoundNotification
    timeline: list[StatusEvent]


def search_notifications(
    service_id: uuid.UUID, request: SupportSearchRequest, settings: SearchSettings
) -> list[SearchResult]:
    """Find the service's notifications matching ``request``, newest first, a page at most, each with its status
    timeline; write the audit row first. Raises `BadRequestError` for a recipient that is neither an email address
    nor a mobile number, `NoResultFound` for an `older_than` the service does not have."""
    value = _searched_value(request, settings.recipient_search_key)
    now = utc_now()
    search = SupportSearch(
        service_id=service_id,
        kind=request.kind,
        value=value,
        history_created_since=now - timedelta(days=settings.history_days),
        older_than=_cursor(service_id, request.older_than),
        limit=settings.page_size,
    )
    found = dao_list_notifications_for_support_search(search)
    _record_search(service_id, request, value, settings, found_count=len(found), now=now)
    return _with_timelines(found)


def _searched_value(request: SupportSearchRequest, key: str) -> str:
    """The value to match: a recipient's keyed hash, or the reference or id as given."""
    if request.kind is not SupportSearchKind.RECIPIENT:
        return request.value
    try:
        normalised = normalise_searched_recipient(request.value)
    except InvalidRecipientError as error:
        raise BadRequestError("recipient is not a valid email address or mobile number") from error
    return keyed_hash(key, normalised)


def _cursor(service_id: uuid.UUID, older_than: uuid.UUID | None) -> tuple[datetime, uuid.UUID] | None:
    return None if older_than is None else dao_get_notification_position_for_service(service_id, older_than)


def _record_search(
    service_id: uuid.UUID,
    request: SupportSearchRequest,
    value: str,
    settings: SearchSettings,
    *,
    found_count: int,
    now: datetime,
) -> None:
    """Commit the audit row. A recipient's value is already its hash (the same one its notifications carry, so an
    auditor holding the key can tell who looked a recipient up); a reference or id is hashed under the same key."""
    searched_value_hash = (
        value
        if request.kind is SupportSearchKind.RECIPIENT
        else keyed_hash(settings.recipient_search_key, f"{request.kind}:{value}")
    )
    audit = SupportSearchAudit(
        id=uuid.uuid4(),
        service_id=service_id,
        admin_client_id=settings.admin_client_id,
        searched_by=request.searched_by,
        searched_at=now,
        search_kind=request.kind,
        searched_value_hash=searched_value_hash,
        result_count=found_count,
    )
    dao_create_support_search_audit(audit)
    logger.info(
        "Support search by %s of service %s found %s notifications",
        request.kind,
        service_id,
        found_count,
        extra={"service_id": str(service_id), "search_kind": str(request.kind), "audit_id": str(audit.id)},
    )


def _with_timelines(found: list[FoundNotification]) -> list[SearchResult]:
    """Each notification with its timeline: `created` at its creation, then every recorded change of status."""
    events: dict[uuid.UUID, list[StatusEvent]] = defaultdict(list)
    for event in dao_list_status_events([notification.id for notification in found]) if found else []:
        events[event.notification_id].append(event)
    return [
        SearchResult(
            notification=notification,
            timeline=[
                StatusEvent(notification.id, NotificationStatus.CREATED, notification.created_at),
                *events[notification.id],
            ],
        )
        for notification in found
    ]
