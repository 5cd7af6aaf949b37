"""Service callback settings (URL, bearer token and signing secret, both encrypted at rest)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import select

from app.clock import utc_now
from app.extensions import db
from app.models import ServiceCallbackApi


def dao_save_service_callback(
    service_id: uuid.UUID, *, callback_type: str, url: str, bearer_token: str
) -> tuple[ServiceCallbackApi, str]:
    """Create or replace the service's callback of ``callback_type``; returns it and its new signing secret."""
    callback = dao_find_service_callback(service_id, callback_type)
    if callback is None:
        callback = ServiceCallbackApi(service_id=service_id, callback_type=callback_type, version=1)
        db.session.add(callback)
    else:
        callback.version += 1
        callback.updated_at = utc_now()
    signing_secret = secrets.token_urlsafe(32)
    callback.url = url
    callback.bearer_token = bearer_token
    callback.signing_secret = signing_secret
    db.session.commit()
    return callback, signing_secret


def dao_find_service_callback(service_id: uuid.UUID, callback_type: str) -> ServiceCallbackApi | None:
    return db.session.execute(
        select(ServiceCallbackApi).where(
            ServiceCallbackApi.service_id == service_id, ServiceCallbackApi.callback_type == callback_type
        )
    ).scalar_one_or_none()


def dao_list_service_callbacks(service_id: uuid.UUID) -> Sequence[ServiceCallbackApi]:
    return (
        db.session.execute(select(ServiceCallbackApi).where(ServiceCallbackApi.service_id == service_id))
        .scalars()
        .all()
    )


def dao_delete_service_callback(service_id: uuid.UUID, callback_type: str) -> bool:
    """Delete the service's callback of ``callback_type``; False when it had none."""
    callback = dao_find_service_callback(service_id, callback_type)
    if callback is None:
        return False
    db.session.delete(callback)
    db.session.commit()
    return True
