"""Domain steps for a service's callback settings: set one (its URL checked by the destination policy), read one, or
delete one."""

from __future__ import annotations

import uuid

from flask import current_app

from app.callbacks.destination_policy import DestinationRefusedError, check_destination_url
from app.dao.service_callback_dao import (
    dao_delete_service_callback,
    dao_find_service_callback,
    dao_save_service_callback,
)
from app.errors import InvalidRequest, NotFoundError
from app.models import ServiceCallbackApi


def set_service_callback(
    service_id: uuid.UUID, *, callback_type: str, url: str, bearer_token: str
) -> tuple[ServiceCallbackApi, str]:
    """Check the URL (its text and every address it resolves to now), then create or replace the callback with the
    URL as the policy rebuilt it; returns the callback and its new signing secret. Raises InvalidRequest naming the
    rule the URL breaks."""
    try:
        destination = check_destination_url(url, local_networks=current_app.config["CALLBACK_LOCAL_NETWORKS"])
    except DestinationRefusedError as error:
        raise InvalidRequest({"url": [str(error)]}, 400) from error
    return dao_save_service_callback(
        service_id, callback_type=callback_type, url=destination.url, bearer_token=bearer_token
    )


def get_service_callback(service_id: uuid.UUID, callback_type: str) -> ServiceCallbackApi:
    callback = dao_find_service_callback(service_id, callback_type)
    if callback is None:
        raise NotFoundError(f"Service has no {callback_type} callback")
    return callback


def delete_service_callback(service_id: uuid.UUID, callback_type: str) -> None:
    if not dao_delete_service_callback(service_id, callback_type):
        raise NotFoundError(f"Service has no {callback_type} callback")
