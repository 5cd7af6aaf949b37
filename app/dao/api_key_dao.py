"""API keys: create (secret encrypted at rest), list, revoke; each change versioned into history."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import or_, select

from app.clock import utc_now
from app.dao.history import dao_create_history_row
from app.extensions import db
from app.models import ApiKey, ApiKeyHistory
from app.serialised_models import SerialisedApiKey


def dao_create_api_key(service_id: uuid.UUID, *, name: str, key_type: str, created_by: str | None = None) -> ApiKey:
    api_key = ApiKey(
        id=uuid.uuid4(),
        service_id=service_id,
        name=name,
        key_type=key_type,
        created_by=created_by,
        created_at=utc_now(),
        version=1,
    )
    api_key.secret = str(uuid.uuid4())
    db.session.add(api_key)
    db.session.flush()
    dao_create_history_row(api_key, ApiKeyHistory)
    db.session.commit()
    return api_key


def dao_get_api_key_by_id(service_id: uuid.UUID, api_key_id: uuid.UUID | str) -> ApiKey:
    return db.session.execute(
        select(ApiKey).where(ApiKey.service_id == service_id, ApiKey.id == api_key_id)
    ).scalar_one()


def dao_list_api_keys(service_id: uuid.UUID) -> Sequence[ApiKey]:
    """Active keys, plus those revoked in the last 7 days."""
    revoked_since = utc_now() - timedelta(days=7)
    return (
        db.session.execute(
            select(ApiKey)
            .where(
                ApiKey.service_id == service_id,
                or_(ApiKey.expiry_date.is_(None), ApiKey.expiry_date > revoked_since),
            )
            .order_by(ApiKey.created_at)
        )
        .scalars()
        .all()
    )


def dao_revoke_api_key(service_id: uuid.UUID, api_key_id: uuid.UUID | str) -> ApiKey:
    api_key = dao_get_api_key_by_id(service_id, api_key_id)
    if api_key.expiry_date is None:
        api_key.expiry_date = utc_now()
        api_key.updated_at = api_key.expiry_date
        api_key.version += 1
        db.session.flush()
        dao_create_history_row(api_key, ApiKeyHistory)
    db.session.commit()
    return api_key


def dao_list_serialised_api_keys(service_id: uuid.UUID | str) -> list[SerialisedApiKey]:
    """Every key of the service, revoked ones included (a revoked key must answer "API key revoked")."""
    keys = db.session.execute(select(ApiKey).where(ApiKey.service_id == service_id)).scalars()
    return [
        SerialisedApiKey(
            id=key.id, name=key.name, secret=key.secret, key_type=key.key_type, expiry_date=key.expiry_date
        )
        for key in keys
    ]
