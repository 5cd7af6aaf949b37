"""Build the Authorization headers real clients send (HS256 JWT with iss and iat)."""

from __future__ import annotations

import time
import warnings

import jwt
from flask import current_app
from jwt.warnings import InsecureKeyLengthWarning

from app.models import ApiKey


def create_jwt_token(secret: str, issuer: str, *, issued_at: float | None = None, algorithm: str = "HS256") -> str:
    claims = {"iss": issuer, "iat": int(time.time() if issued_at is None else issued_at)}
    with warnings.catch_warnings():
        # Tests sign with other algorithms on purpose; a UUID secret is short for HS512.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret, algorithm=algorithm, headers={"typ": "JWT", "alg": algorithm})


def service_auth_header(api_key: ApiKey, *, issued_at: float | None = None) -> tuple[str, str]:
    token = create_jwt_token(api_key.secret, str(api_key.service_id), issued_at=issued_at)
    return ("Authorization", f"Bearer {token}")


def admin_auth_header() -> tuple[str, str]:
    config = current_app.config
    token = create_jwt_token(config["ADMIN_CLIENT_SECRET"], config["ADMIN_CLIENT_ID"])
    return ("Authorization", f"Bearer {token}")
