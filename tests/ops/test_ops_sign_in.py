"""Signing in to the operator console: a one-time link, a POST to use it, a session cookie, CSRF-checked sign-out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from app.clock import utc_now
from app.extensions import db
from app.models import OpsSignIn
from app.ops.session_cookie import COOKIE_NAME, csrf_token
from tests.ops.conftest import new_link_token, sign_in

CSRF_FIELD = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def _csrf_token_on_page(client: FlaskClient) -> str:
    found = CSRF_FIELD.search(client.get("/ops").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def test_the_console_refuses_a_browser_without_a_session_and_shows_no_figures(client: FlaskClient) -> None:
    response = client.get("/ops")

    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Sign-in needed" in page
    assert "Traffic" not in page
    assert "Providers" not in page


def test_opening_a_link_asks_for_a_click_and_does_not_use_it_up(client: FlaskClient) -> None:
    token = new_link_token()

    first = client.get(f"/ops/sign-in/{token}")
    second = client.get(f"/ops/sign-in/{token}")

    assert (first.status_code, second.status_code) == (200, 200)
    assert f'name="link_token" value="{token}"' in second.get_data(as_text=True)
    assert COOKIE_NAME not in (first.headers.get("Set-Cookie") or "")
    assert db.session.execute(select(OpsSignIn.link_used_at)).scalar_one() is None


def test_posting_the_link_sets_a_strict_http_only_session_cookie_and_opens_the_console(client: FlaskClient) -> None:
    response = client.post("/ops/sign-in", data={"link_token": new_link_token()})

    assert (response.status_code, response.headers["Location"]) == (303, "/ops")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert {"HttpOnly", "SameSite=Strict", "Path=/ops"} <= {part.strip() for part in cookie.split(";")}
    assert "Secure" not in cookie  # the test environment serves plain http
    console = client.get("/ops")
    assert console.status_code == 200
    assert "Operator console" in console.get_data(as_text=True)


def test_the_cookie_is_secure_outside_development(notify_api: Flask, client: FlaskClient) -> None:
    notify_api.config["NOTIFY_ENVIRONMENT"] = "production"
    try:
        response = client.post("/ops/sign-in", data={"link_token": new_link_token()})
    finally:
        notify_api.config["NOTIFY_ENVIRONMENT"] = "test"

    assert "Secure" in {part.strip() for part in response.headers["Set-Cookie"].split(";")}


def test_a_link_works_only_once(client: FlaskClient, notify_api: Flask) -> None:
    token = new_link_token()
    client.post("/ops/sign-in", data={"link_token": token})
    other_browser = notify_api.test_client()

    again = other_browser.post("/ops/sign-in", data={"link_token": token})
    looked_at = other_browser.get(f"/ops/sign-in/{token}")

    assert (again.status_code, looked_at.status_code) == (410, 410)
    assert "Set-Cookie" not in again.headers
    assert other_browser.get("/ops").status_code == 401


def test_an_expired_link_is_refused(client: FlaskClient) -> None:
    token = new_link_token(valid_seconds=60)

    with freeze_time(utc_now() + timedelta(seconds=61)):
        response = client.post("/ops/sign-in", data={"link_token": token})

    assert response.status_code == 410
    assert client.get("/ops").status_code == 401


@pytest.mark.parametrize(
    "token",
    ["", "short", "A" * 43, "A" * 42 + "!", "A" * 5000],
    ids=["empty", "short", "unknown", "bad character", "huge"],
)
def test_a_made_up_link_is_refused(client: FlaskClient, token: str) -> None:
    new_link_token()

    response = client.post("/ops/sign-in", data={"link_token": token})

    assert response.status_code in (410, 413)
    assert "Set-Cookie" not in response.headers


def test_the_database_keeps_only_hashes_of_the_tokens(client: FlaskClient) -> None:
    token = new_link_token()
    response = client.post("/ops/sign-in", data={"link_token": token})
    cookie_value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]

    stored = db.session.execute(select(OpsSignIn)).scalar_one()

    assert token not in (stored.link_token_hash, stored.session_token_hash)
    assert len(stored.link_token_hash) == len(stored.session_token_hash or "") == 64
    assert stored.session_token_hash not in cookie_value


def test_a_forged_or_tampered_cookie_is_refused(client: FlaskClient) -> None:
    sign_in(client)
    genuine = client.get_cookie(COOKIE_NAME, path="/ops")
    assert genuine is not None
    tampered = genuine.value[:-2] + ("BB" if genuine.value.endswith("AA") else "AA")
    client.set_cookie(COOKIE_NAME, tampered, path="/ops")

    assert client.get("/ops").status_code == 401


def test_a_session_ends_when_its_lifetime_is_over(client: FlaskClient, notify_api: Flask) -> None:
    sign_in(client)

    with freeze_time(utc_now() + timedelta(seconds=notify_api.config["OPS_SESSION_SECONDS"] + 1)):
        response = client.get("/ops")

    assert response.status_code == 401


def test_signing_out_ends_the_session_even_for_a_copy_of_the_cookie(client: FlaskClient, notify_api: Flask) -> None:
    sign_in(client)
    copy = client.get_cookie(COOKIE_NAME, path="/ops")
    assert copy is not None

    response = client.post("/ops/sign-out", data={"csrf_token": _csrf_token_on_page(client)})

    assert (response.status_code, response.headers["Location"]) == (303, "/ops/signed-out")
    other_browser = notify_api.test_client()
    other_browser.set_cookie(COOKIE_NAME, copy.value, path="/ops")
    assert other_browser.get("/ops").status_code == 401
    assert client.get("/ops").status_code == 401


@pytest.mark.parametrize("given", ["", "0" * 64, "not-a-token"], ids=["missing", "wrong", "malformed"])
def test_signing_out_without_the_pages_csrf_token_is_refused(client: FlaskClient, given: str) -> None:
    sign_in(client)

    response = client.post("/ops/sign-out", data={"csrf_token": given})

    assert response.status_code == 403
    assert client.get("/ops").status_code == 200


def test_a_csrf_token_of_another_session_is_refused(client: FlaskClient, notify_api: Flask) -> None:
    sign_in(client)
    other_browser = notify_api.test_client()
    sign_in(other_browser)

    response = client.post("/ops/sign-out", data={"csrf_token": _csrf_token_on_page(other_browser)})

    assert response.status_code == 403


def test_a_csrf_token_is_bound_to_its_session(notify_api: Flask) -> None:
    with notify_api.app_context():
        assert csrf_token("A" * 43) != csrf_token("B" * 43)


@pytest.mark.parametrize("path", ["/ops", "/ops/sign-in/" + "A" * 43, "/ops/signed-out"], ids=str)
def test_every_console_page_forbids_scripts_framing_and_caching(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'self'")
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_large_form_is_refused_before_it_is_read(client: FlaskClient) -> None:
    response = client.post("/ops/sign-in", data={"link_token": "A" * 2000})

    assert response.status_code == 413


def test_the_cli_prints_a_link_that_signs_in_once(notify_api: Flask, notify_db_session: None) -> None:
    runner = notify_api.test_cli_runner()

    result = runner.invoke(args=["ops", "sign-in-link", "--base-url", "https://ops.herald.example/"])

    assert result.exit_code == 0
    link = result.output.strip()
    assert re.fullmatch(r"https://ops\.herald\.example/ops/sign-in/[A-Za-z0-9_-]{43}", link)
    client = notify_api.test_client()
    token = link.rsplit("/", 1)[1]
    assert client.post("/ops/sign-in", data={"link_token": token}).status_code == 303
    assert client.get("/ops").status_code == 200


def test_signing_in_is_logged_without_the_link_or_the_session_token(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = new_link_token()

    with caplog.at_level("INFO"):
        response = client.post("/ops/sign-in", data={"link_token": token})
        client.post("/ops/sign-in", data={"link_token": token})

    cookie_value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    messages = [record.getMessage() for record in caplog.records if record.name == "app.ops.sign_in"]
    assert messages[0].startswith("Operator console session ")
    assert messages[1:] == ["An operator console sign-in link was refused: unknown, used or expired"]
    assert not [message for message in messages if token in message or cookie_value in message]
