"""Verify the bearer JWT of every request: service API keys (public API) and the admin client (internal API)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any, TypeGuard

import jwt
from flask import current_app, g, request
from sqlalchemy.exc import NoResultFound

from app.caches import CacheName, TtlCache, app_cache
from app.dao.api_key_dao import dao_list_serialised_api_keys
from app.dao.services_dao import dao_get_serialised_service
from app.errors import AuthError, InvalidRequest
from app.serialised_models import SerialisedApiKey, SerialisedService

logger = logging.getLogger(__name__)

GENERIC_INVALID_TOKEN = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
CLOCK_SKEW_MESSAGE = "Error: Your system clock must be accurate to within 30 seconds"
# A real token (header, `iss`, `iat`, signature) is about 200 characters; anything far longer is refused before
# any base64 or JSON decoding.
MAX_BEARER_TOKEN_LENGTH = 1024


def _bearer_token() -> str:
    header = request.headers.get("Authorization")
    if not header:
        raise AuthError("Unauthorized: authentication token must be provided", 401)
    if header[:7].title() != "Bearer ":
        raise AuthError("Unauthorized: authentication bearer scheme must be used", 401)
    token = header[7:].strip()
    if len(token) > MAX_BEARER_TOKEN_LENGTH:
        raise AuthError(GENERIC_INVALID_TOKEN)
    return token


@dataclass(frozen=True)
class _ParsedToken:
    """A JWT split and decoded once: the claims are not trusted until a key's signature matches."""

    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes

    def is_signed_with(self, secret: str) -> bool:
        expected = hmac.new(secret.encode(), self.signing_input, hashlib.sha256).digest()
        return hmac.compare_digest(expected, self.signature)


def _parsed_token(token: str) -> _ParsedToken:
    """Decode the header and claims once (PyJWT, signature not checked yet). Raises AuthError for a malformed token."""
    try:
        decoded = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AuthError(GENERIC_INVALID_TOKEN) from error
    signing_input = token.rpartition(".")[0].encode()
    return _ParsedToken(decoded["header"], decoded["payload"], signing_input, decoded["signature"])


def _check_algorithm(token: _ParsedToken) -> None:
    if token.header.get("alg") != "HS256":
        raise AuthError("Invalid token: algorithm used is not HS256")


def _is_finite_number(value: object) -> TypeGuard[int | float]:
    """A JSON number that means a moment: not a boolean, not NaN or an infinity (Python's json reads both)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _check_issued_at(claims: dict[str, Any], skew_seconds: int) -> None:
    """Raise AuthError unless `iat` is a finite number within ``skew_seconds`` of now (the clock-skew message).

    NaN compares false with everything, so a window test alone would let it through as a token that never expires;
    the comparisons below are exact for integers of any size (no float conversion to overflow).
    """
    issued_at = claims.get("iat")
    if not _is_finite_number(issued_at):
        raise AuthError(GENERIC_INVALID_TOKEN)
    now = time.time()
    if not now - skew_seconds <= issued_at <= now + skew_seconds:
        raise AuthError(CLOCK_SKEW_MESSAGE)


@dataclass(frozen=True)
class ServiceCredentials:
    service: SerialisedService
    api_keys: tuple[SerialisedApiKey, ...]


SERVICE_CREDENTIALS = CacheName[ServiceCredentials]("herald_credentials_cache")


def _load_credentials(service_id: uuid.UUID) -> ServiceCredentials:
    service = dao_get_serialised_service(service_id)
    return ServiceCredentials(service=service, api_keys=tuple(dao_list_serialised_api_keys(service_id)))


def _credentials_cache() -> TtlCache[ServiceCredentials]:
    """Each service's snapshot and API keys for API_KEY_CACHE_SECONDS: a revoked key stops working within that."""
    return app_cache(SERVICE_CREDENTIALS, current_app.config["API_KEY_CACHE_SECONDS"])


def _service_credentials(issuer: Any) -> ServiceCredentials:
    if not isinstance(issuer, str):
        raise AuthError("Invalid token: service id is not the right data type")
    try:
        service_id = uuid.UUID(issuer)
    except ValueError as error:
        raise AuthError("Invalid token: service id is not the right data type") from error
    try:
        credentials = _credentials_cache().get(service_id, lambda: _load_credentials(service_id))
    except NoResultFound as error:
        raise AuthError("Invalid token: service not found") from error
    if not credentials.api_keys:
        raise AuthError("Invalid token: service has no API keys")
    if not credentials.service.active:
        raise AuthError("Invalid token: service is archived")
    return credentials


def _matching_key(token: _ParsedToken, api_keys: tuple[SerialisedApiKey, ...]) -> SerialisedApiKey:
    skew_seconds = current_app.config["TOKEN_CLOCK_SKEW_SECONDS"]
    for api_key in api_keys:
        if not token.is_signed_with(api_key.secret):
            continue
        _check_issued_at(token.claims, skew_seconds)
        if api_key.is_revoked:
            raise AuthError("Invalid token: API key revoked")
        return api_key
    raise AuthError("Invalid token: API key not found")


def requires_auth() -> None:
    """before_request hook of the public API: authenticate a service API key or raise AuthError.

    The token is decoded once; its issuer names the service, whose keys (cached) are tried in turn.
    """
    token = _parsed_token(_bearer_token())
    if token.claims.get("iss") in (None, ""):
        raise AuthError("Invalid token: iss field not provided")
    credentials = _service_credentials(token.claims["iss"])
    _check_algorithm(token)
    api_key = _matching_key(token, credentials.api_keys)
    g.api_user = api_key
    g.service_id = credentials.service.id
    g.authenticated_service = credentials.service


def requires_admin_auth() -> None:
    """before_request hook of the internal API: the token must be signed by the configured admin client."""
    try:
        _verify_admin_token()
    except AuthError as error:
        raise InvalidRequest({"token": [error.message]}, error.status_code) from error


def _verify_admin_token() -> None:
    token = _bearer_token()
    try:
        claims = jwt.decode(
            token,
            key=current_app.config["ADMIN_CLIENT_SECRET"],
            algorithms=["HS256"],
            options={"verify_exp": False, "verify_iat": False, "require": ["iss", "iat"]},
        )
    except jwt.PyJWTError as error:
        raise AuthError("Invalid token: signature, api token not found") from error
    issuer = claims["iss"]
    expected_issuer = current_app.config["ADMIN_CLIENT_ID"]
    if not isinstance(issuer, str) or not hmac.compare_digest(issuer.encode(), expected_issuer.encode()):
        raise AuthError("Unauthorized: not allowed to perform this action", 401)
    _check_issued_at(claims, current_app.config["TOKEN_CLOCK_SKEW_SECONDS"])


def requires_no_auth() -> None:
    """before_request hook for endpoints that are open by design (provider receipts, /_status)."""
