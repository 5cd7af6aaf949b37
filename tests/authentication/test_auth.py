"""Service API-key authentication: every message of the 401/403 split."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest
from flask import Flask, g

from app.authentication.auth import requires_admin_auth, requires_auth
from app.dao.api_key_dao import dao_revoke_api_key
from app.dao.services_dao import dao_get_service_by_id, dao_update_service
from app.errors import AuthError, InvalidRequest
from tests.auth_helpers import admin_auth_header, create_jwt_token, service_auth_header
from tests.factories import create_api_key, create_service

SHORT_LIVED_SECRET = "a-secret-that-is-long-enough-for-hs256"


def _authenticate(app: Flask, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    with app.test_request_context("/v2/notifications", headers=headers):
        requires_auth()


def _auth_error(app: Flask, authorization: str | None) -> AuthError:
    with pytest.raises(AuthError) as error:
        _authenticate(app, authorization)
    return error.value


@pytest.mark.parametrize(
    ("authorization", "status_code", "message"),
    [
        (None, 401, "Unauthorized: authentication token must be provided"),
        ("Basic abc", 401, "Unauthorized: authentication bearer scheme must be used"),
        (
            "Bearer not-a-jwt",
            403,
            "Invalid token: make sure your API token matches the example at "
            "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header",
        ),
    ],
    ids=["no header", "wrong scheme", "not a jwt"],
)
def test_requires_auth_rejects_malformed_headers(
    notify_api: Flask, notify_db_session: None, authorization: str | None, status_code: int, message: str
) -> None:
    error = _auth_error(notify_api, authorization)

    assert (error.status_code, error.message) == (status_code, message)


def test_requires_auth_rejects_token_without_iss(notify_api: Flask, notify_db_session: None) -> None:
    import jwt

    token = jwt.encode({"iat": int(time.time())}, SHORT_LIVED_SECRET, algorithm="HS256")

    error = _auth_error(notify_api, f"Bearer {token}")

    assert error.message == "Invalid token: iss field not provided"


def test_requires_auth_rejects_iss_that_is_not_a_uuid(notify_api: Flask, notify_db_session: None) -> None:
    error = _auth_error(notify_api, f"Bearer {create_jwt_token(SHORT_LIVED_SECRET, 'not-a-uuid')}")

    assert error.message == "Invalid token: service id is not the right data type"


def test_requires_auth_rejects_unknown_service(notify_api: Flask, notify_db_session: None) -> None:
    error = _auth_error(notify_api, f"Bearer {create_jwt_token(SHORT_LIVED_SECRET, str(uuid.uuid4()))}")

    assert (error.status_code, error.message) == (403, "Invalid token: service not found")


def test_requires_auth_rejects_service_without_keys(notify_api: Flask, notify_db_session: None) -> None:
    service = create_service()

    error = _auth_error(notify_api, f"Bearer {create_jwt_token(SHORT_LIVED_SECRET, str(service.id))}")

    assert error.message == "Invalid token: service has no API keys"


def test_requires_auth_rejects_archived_service(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()
    dao_update_service(dao_get_service_by_id(api_key.service_id), active=False)

    error = _auth_error(notify_api, service_auth_header(api_key)[1])

    assert error.message == "Invalid token: service is archived"


def test_requires_auth_rejects_wrong_secret(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()

    error = _auth_error(notify_api, f"Bearer {create_jwt_token(str(uuid.uuid4()), str(api_key.service_id))}")

    assert error.message == "Invalid token: API key not found"


@pytest.mark.parametrize("offset_seconds", [-31, 31], ids=["too old", "in the future"])
def test_requires_auth_rejects_tokens_outside_the_clock_window(
    notify_api: Flask, notify_db_session: None, offset_seconds: int
) -> None:
    api_key = create_api_key()

    error = _auth_error(notify_api, service_auth_header(api_key, issued_at=time.time() + offset_seconds)[1])

    assert error.message == "Error: Your system clock must be accurate to within 30 seconds"


def test_requires_auth_rejects_a_revoked_key(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()
    dao_revoke_api_key(api_key.service_id, api_key.id)

    error = _auth_error(notify_api, service_auth_header(api_key)[1])

    assert error.message == "Invalid token: API key revoked"


def test_requires_auth_rejects_other_algorithms(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()
    token = create_jwt_token(api_key.secret, str(api_key.service_id), algorithm="HS512")

    error = _auth_error(notify_api, f"Bearer {token}")

    assert error.message == "Invalid token: algorithm used is not HS256"


def test_requires_auth_tries_every_key_of_the_service(notify_api: Flask, notify_db_session: None) -> None:
    first = create_api_key()
    second = create_api_key(service=dao_get_service_by_id(first.service_id), key_type="team")

    with notify_api.test_request_context("/v2/notifications", headers=[service_auth_header(second)]):
        requires_auth()
        authenticated = (g.api_user.id, g.api_user.key_type, g.service_id)

    assert authenticated == (second.id, "team", second.service_id)


def test_requires_admin_auth_accepts_the_admin_client(notify_api: Flask, notify_db_session: None) -> None:
    with notify_api.test_request_context("/service"):
        header = admin_auth_header()
    with notify_api.test_request_context("/service", headers=[header]):
        assert requires_admin_auth() is None


def test_requires_admin_auth_rejects_a_service_key(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()

    with (
        notify_api.test_request_context("/service", headers=[service_auth_header(api_key)]),
        pytest.raises(InvalidRequest) as error,
    ):
        requires_admin_auth()

    assert error.value.status_code == 403


def test_requires_auth_rejects_claims_changed_after_signing(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()
    header, _payload, signature = create_jwt_token(api_key.secret, str(api_key.service_id)).split(".")
    forged_claims = {"iss": str(api_key.service_id), "iat": int(time.time()), "forged": True}
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged_claims).encode()).rstrip(b"=").decode()

    error = _auth_error(notify_api, f"Bearer {header}.{forged_payload}.{signature}")

    assert error.message == "Invalid token: API key not found"


def _signed_token(secret: str, raw_claims: str, *, raw_header: str = '{"typ":"JWT","alg":"HS256"}') -> str:
    """A JWT signed with ``secret`` whose claims are exactly ``raw_claims`` (so NaN and 1e999 can be sent)."""

    def encoded(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = f"{encoded(raw_header.encode())}.{encoded(raw_claims.encode())}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{encoded(signature)}"


GENERIC_MESSAGE = (
    "Invalid token: make sure your API token matches the example at "
    "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header"
)
CLOCK_MESSAGE = "Error: Your system clock must be accurate to within 30 seconds"
MALFORMED_ISSUED_AT = [
    ("NaN", GENERIC_MESSAGE),
    ("Infinity", GENERIC_MESSAGE),
    ("-Infinity", GENERIC_MESSAGE),
    ("true", GENERIC_MESSAGE),
    ("null", GENERIC_MESSAGE),
    ('"{now}"', GENERIC_MESSAGE),
    ("[{now}]", GENERIC_MESSAGE),
    ('{{"t": {now}}}', GENERIC_MESSAGE),
    ("1e999", GENERIC_MESSAGE),
    ("1" + "0" * 400, CLOCK_MESSAGE),
    ("-1" + "0" * 400, CLOCK_MESSAGE),
    ("1e308", CLOCK_MESSAGE),
]
MALFORMED_ISSUED_AT_IDS = [
    "NaN", "Infinity", "-Infinity", "boolean", "null", "string", "list", "object", "float overflow",
    "huge integer", "huge negative integer", "huge float",
]  # fmt: skip


@pytest.mark.parametrize(("raw_issued_at", "message"), MALFORMED_ISSUED_AT, ids=MALFORMED_ISSUED_AT_IDS)
def test_requires_auth_refuses_an_iat_that_is_not_a_moment_near_now(
    notify_api: Flask, notify_db_session: None, raw_issued_at: str, message: str
) -> None:
    api_key = create_api_key()
    issued_at = raw_issued_at.format(now=int(time.time()))
    token = _signed_token(api_key.secret, f'{{"iss": "{api_key.service_id}", "iat": {issued_at}}}')

    error = _auth_error(notify_api, f"Bearer {token}")

    assert (error.status_code, error.message) == (403, message)


def test_requires_auth_refuses_a_token_without_iat(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()
    token = _signed_token(api_key.secret, f'{{"iss": "{api_key.service_id}"}}')

    error = _auth_error(notify_api, f"Bearer {token}")

    assert (error.status_code, error.message) == (403, GENERIC_MESSAGE)


@pytest.mark.parametrize("offset_seconds", [-28, 0, 28], ids=["28 s old", "now", "28 s ahead"])
def test_requires_auth_accepts_an_iat_inside_the_window(
    notify_api: Flask, notify_db_session: None, offset_seconds: int
) -> None:
    api_key = create_api_key()
    token = _signed_token(
        api_key.secret, f'{{"iss": "{api_key.service_id}", "iat": {int(time.time()) + offset_seconds}}}'
    )

    with notify_api.test_request_context("/v2/notifications", headers={"Authorization": f"Bearer {token}"}):
        requires_auth()
        authenticated_key_id = g.api_user.id

    assert authenticated_key_id == api_key.id


@pytest.mark.parametrize(
    "issuer", ["123", "true", "null", '["{service_id}"]'], ids=["number", "boolean", "null", "list"]
)
def test_requires_auth_refuses_an_iss_that_is_not_a_string(
    notify_api: Flask, notify_db_session: None, issuer: str
) -> None:
    api_key = create_api_key()
    raw_issuer = issuer.format(service_id=api_key.service_id)
    token = _signed_token(api_key.secret, f'{{"iss": {raw_issuer}, "iat": {int(time.time())}}}')

    error = _auth_error(notify_api, f"Bearer {token}")

    assert error.message in (
        "Invalid token: service id is not the right data type",
        "Invalid token: iss field not provided",
    )


def test_requires_auth_refuses_an_oversized_token_before_decoding_it(
    notify_api: Flask, notify_db_session: None
) -> None:
    api_key = create_api_key()
    padding = "x" * 5000
    token = _signed_token(
        api_key.secret, f'{{"iss": "{api_key.service_id}", "iat": {int(time.time())}, "p": "{padding}"}}'
    )

    error = _auth_error(notify_api, f"Bearer {token}")

    assert (error.status_code, error.message) == (403, GENERIC_MESSAGE)


@pytest.mark.parametrize(
    "raw_header",
    ['{"typ":"JWT","alg":"none"}', '{"typ":"JWT"}', '["HS256"]', '{"typ":"JWT","alg":["HS256"]}'],
    ids=["alg none", "no alg", "not an object", "alg a list"],
)
def test_requires_auth_refuses_a_header_that_does_not_say_hs256(
    notify_api: Flask, notify_db_session: None, raw_header: str
) -> None:
    api_key = create_api_key()
    claims = f'{{"iss": "{api_key.service_id}", "iat": {int(time.time())}}}'

    error = _auth_error(notify_api, f"Bearer {_signed_token(api_key.secret, claims, raw_header=raw_header)}")

    assert error.message in ("Invalid token: algorithm used is not HS256", GENERIC_MESSAGE)


def _admin_error(app: Flask, raw_claims: str) -> InvalidRequest:
    token = _signed_token(app.config["ADMIN_CLIENT_SECRET"], raw_claims)
    with (
        app.test_request_context("/service", headers={"Authorization": f"Bearer {token}"}),
        pytest.raises(InvalidRequest) as error,
    ):
        requires_admin_auth()
    return error.value


@pytest.mark.parametrize(("raw_issued_at", "message"), MALFORMED_ISSUED_AT, ids=MALFORMED_ISSUED_AT_IDS)
def test_requires_admin_auth_refuses_an_iat_that_is_not_a_moment_near_now(
    notify_api: Flask, notify_db_session: None, raw_issued_at: str, message: str
) -> None:
    issued_at = raw_issued_at.format(now=int(time.time()))
    claims = f'{{"iss": "{notify_api.config["ADMIN_CLIENT_ID"]}", "iat": {issued_at}}}'

    error = _admin_error(notify_api, claims)

    # PyJWT's `require` already counts a null iat as missing.
    expected_message = "Invalid token: signature, api token not found" if raw_issued_at == "null" else message
    assert (error.status_code, error.payload) == (403, {"token": [expected_message]})


def test_requires_admin_auth_refuses_an_iss_that_is_not_a_string(notify_api: Flask, notify_db_session: None) -> None:
    error = _admin_error(
        notify_api, f'{{"iss": ["{notify_api.config["ADMIN_CLIENT_ID"]}"], "iat": {int(time.time())}}}'
    )

    assert (error.status_code, error.payload) == (401, {"token": ["Unauthorized: not allowed to perform this action"]})


def test_admin_api_answers_a_nan_iat_in_its_own_envelope(notify_api: Flask, notify_db_session: None) -> None:
    claims = f'{{"iss": "{notify_api.config["ADMIN_CLIENT_ID"]}", "iat": NaN}}'
    token = _signed_token(notify_api.config["ADMIN_CLIENT_SECRET"], claims)

    response = notify_api.test_client().get("/service", headers={"Authorization": f"Bearer {token}"})

    assert (response.status_code, response.get_json()) == (
        403,
        {"result": "error", "message": {"token": [GENERIC_MESSAGE]}},
    )


def test_public_api_answers_a_nan_iat_with_403(notify_api: Flask, notify_db_session: None) -> None:
    api_key = create_api_key()
    token = _signed_token(api_key.secret, f'{{"iss": "{api_key.service_id}", "iat": NaN}}')

    response = notify_api.test_client().get("/v2/notifications", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 403
    assert response.get_json()["errors"] == [{"error": "AuthError", "message": GENERIC_MESSAGE}]
