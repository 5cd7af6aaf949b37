"""Provider details: the providers, their priorities, and a history row for every change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select

from app.clock import utc_now
from app.dao.history import dao_create_history_row
from app.extensions import db
from app.models import ProviderDetails, ProviderDetailsHistory

PRIORITY_MIN = 0
PRIORITY_MAX = 100


def dao_list_provider_details(notification_type: str | None = None) -> Sequence[ProviderDetails]:
    query = select(ProviderDetails).order_by(ProviderDetails.notification_type, ProviderDetails.identifier)
    if notification_type:
        query = query.where(ProviderDetails.notification_type == notification_type)
    return db.session.execute(query).scalars().all()


def dao_get_provider_details_by_identifier(identifier: str) -> ProviderDetails:
    return db.session.execute(select(ProviderDetails).where(ProviderDetails.identifier == identifier)).scalar_one()


def dao_update_provider_details(
    provider: ProviderDetails,
    *,
    reason: str,
    updated_by: str | None = None,
    commit: bool = True,
    priority: int | None = None,
    active: bool | None = None,
) -> ProviderDetails:
    """Change a provider's priority and/or active flag, recording a new version with its reason."""
    if priority is not None:
        provider.priority = priority
    if active is not None:
        provider.active = active
    provider.version += 1
    provider.updated_at = utc_now()
    provider.reason = reason
    provider.created_by = updated_by
    db.session.flush()
    dao_create_history_row(provider, ProviderDetailsHistory)
    if commit:
        db.session.commit()
    return provider


def dao_list_provider_details_history(identifier: str) -> Sequence[ProviderDetailsHistory]:
    return (
        db.session.execute(
            select(ProviderDetailsHistory)
            .where(ProviderDetailsHistory.identifier == identifier)
            .order_by(ProviderDetailsHistory.version.desc())
        )
        .scalars()
        .all()
    )


def dao_get_provider_details_by_id(provider_id: uuid.UUID | str) -> ProviderDetails:
    return db.session.execute(select(ProviderDetails).where(ProviderDetails.id == provider_id)).scalar_one()


def dao_list_provider_details_versions(provider_id: uuid.UUID | str) -> Sequence[ProviderDetailsHistory]:
    """Every version of one provider, newest first."""
    return (
        db.session.execute(
            select(ProviderDetailsHistory)
            .where(ProviderDetailsHistory.id == provider_id)
            .order_by(ProviderDetailsHistory.version.desc())
        )
        .scalars()
        .all()
    )


def _lock_sms_providers_unchanged_since(unchanged_since: datetime) -> list[ProviderDetails]:
    """Lock every SMS provider row; empty (and nothing locked) when any of them changed after ``unchanged_since``."""
    providers = list(
        db.session.execute(
            select(ProviderDetails)
            .where(ProviderDetails.notification_type == "sms")
            .order_by(ProviderDetails.identifier)
            .with_for_update()
        ).scalars()
    )
    if any(provider.updated_at is not None and provider.updated_at > unchanged_since for provider in providers):
        db.session.rollback()
        return []
    return providers


def _bounded(priority: int) -> int:
    return max(PRIORITY_MIN, min(PRIORITY_MAX, priority))


def dao_reduce_sms_provider_priority(
    identifier: str, *, points: int, unchanged_since: datetime, reason: str, updated_by: str
) -> bool:
    """Move ``points`` of weight from SMS provider ``identifier`` to the other active SMS providers (bounded 0-100).

    Changes nothing (returns False) when any SMS provider changed after ``unchanged_since``, when there is no other
    active provider to take the weight, or when ``identifier`` has no weight left. Writes history. Commits.
    """
    providers = _lock_sms_providers_unchanged_since(unchanged_since)
    reduced = next((provider for provider in providers if provider.identifier == identifier), None)
    others = [provider for provider in providers if provider.identifier != identifier and provider.active]
    moved = min(points, reduced.priority) if reduced is not None else 0
    if reduced is None or not others or moved == 0:
        db.session.rollback()
        return False
    dao_update_provider_details(
        reduced, reason=reason, updated_by=updated_by, commit=False, priority=reduced.priority - moved
    )
    share, remainder = divmod(moved, len(others))
    for position, provider in enumerate(others):
        gained = share + (1 if position < remainder else 0)
        if gained:
            new_priority = _bounded(provider.priority + gained)
            dao_update_provider_details(
                provider, reason=reason, updated_by=updated_by, commit=False, priority=new_priority
            )
    db.session.commit()
    return True


def dao_tend_sms_provider_priorities(
    resting_points: Mapping[str, int], *, points: int, unchanged_since: datetime, updated_by: str
) -> list[ProviderDetails]:
    """Move each SMS provider up to ``points`` toward its resting priority, if none changed after ``unchanged_since``.

    Returns the providers changed (each with a history row). Commits.
    """
    changed = []
    for provider in _lock_sms_providers_unchanged_since(unchanged_since):
        resting = resting_points.get(provider.identifier)
        if resting is None or provider.priority == resting:
            continue
        step = max(-points, min(points, resting - provider.priority))
        dao_update_provider_details(
            provider,
            reason=f"Moved {abs(step)} points toward its resting priority of {resting}",
            updated_by=updated_by,
            commit=False,
            priority=_bounded(provider.priority + step),
        )
        changed.append(provider)
    db.session.commit()
    return changed
