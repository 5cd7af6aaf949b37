"""The operator console of a running Herald (gunicorn API, a Celery worker, the simulator) shows live traffic within
seconds, including an SMS provider's outage and the failover to the other provider."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask
from notifications_python_client import NotificationsAPIClient
from sqlalchemy import text

from app.extensions import db
from app.ops.sign_in import create_sign_in_link
from tests.e2e.live_service import LiveService
from tests.e2e.stack import HeraldStack, herald_on_its_own_broker
from tests.e2e.test_whole_stack import mmg_outage_answers, send_sms, wait_for_final_status
from tests.ops.browser import CHROMIUM, CHROMIUM_ARGS, screenshot_path
from tests.ops.html_tables import page_tables, row_starting

pytestmark = pytest.mark.e2e

SHOWN_WITHIN_SECONDS = 10.0
ERROR_BURST_THRESHOLD = 2


@pytest.fixture(scope="module")
def stack(notify_api: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeraldStack]:
    with herald_on_its_own_broker(
        database_url=notify_api.config["DATABASE_URL"],
        log_dir=tmp_path_factory.mktemp("ops-console"),
        extra_env={
            "SIMULATOR_RECEIPT_DELAY_MS": "20,200",
            "OPS_REFRESH_SECONDS": "2",
            # A burst of two errors moves weight away from the failing provider, so the failover shows in the weights.
            "SMS_PROVIDER_ERROR_THRESHOLD": str(ERROR_BURST_THRESHOLD),
        },
    ) as herald:
        yield herald


def _signed_in_session(api_url: str) -> requests.Session:
    link = create_sign_in_link(base_url=api_url, valid_seconds=60, created_by="e2e")
    session = requests.Session()
    assert session.get(link, timeout=5).status_code == 200
    response = session.post(
        f"{api_url}/ops/sign-in", data={"link_token": link.rsplit("/", 1)[1]}, allow_redirects=False, timeout=5
    )
    assert response.status_code == 303
    return session


def _weights_last_changed_long_ago() -> None:
    """A fresh test database's providers were just seeded, and no burst moves weight within a minute of a change."""
    db.session.execute(text("UPDATE provider_details SET updated_at = now() - interval '1 hour'"))
    db.session.commit()


def _console(session: requests.Session, api_url: str) -> dict[str, list[list[str]]]:
    response = session.get(f"{api_url}/ops", timeout=10)
    assert response.status_code == 200
    return page_tables(response.text)


def _shows_the_traffic(tables: dict[str, list[list[str]]], sent: int) -> bool:
    sms = row_starting(tables["Last hour"], "sms", "normal")
    mmg, firetext = row_starting(tables["table 3"], "MMG"), row_starting(tables["table 3"], "Firetext")
    return (
        sms[2:5] == [str(sent)] * 3  # accepted, sent, delivered
        and int(mmg[5]) >= 1  # errors in the last hour
        and int(mmg[2]) < 51 < int(firetext[2])  # weight moved from MMG to Firetext
    )


def test_the_console_shows_an_outage_and_its_failover_within_seconds(
    stack: HeraldStack, simulator: str, notify_client: NotificationsAPIClient, live_service: LiveService
) -> None:
    _weights_last_changed_long_ago()
    session = _signed_in_session(stack.api_url)
    requests.post(f"{simulator}/_simulator/config", json={"mmg": {"outage": True}}, timeout=5).raise_for_status()
    outages_before = mmg_outage_answers(simulator)
    notification_ids: list[str] = []
    # Providers are drawn by weight: send until MMG's outage has refused enough sends to move its weight.
    while len(notification_ids) < 30 and mmg_outage_answers(simulator) - outages_before < ERROR_BURST_THRESHOLD:
        notification_ids.append(send_sms(notify_client, live_service, f"07700 9002{len(notification_ids):02d}"))
        wait_for_final_status(notify_client, notification_ids[-1], stack)
    all_final_at = time.monotonic()

    tables = _console(session, stack.api_url)
    while not _shows_the_traffic(tables, len(notification_ids)) and time.monotonic() - all_final_at < 30:
        time.sleep(0.5)
        tables = _console(session, stack.api_url)
    shown_after_seconds = time.monotonic() - all_final_at
    _screenshot_console(stack.api_url)

    assert _shows_the_traffic(tables, len(notification_ids)), tables
    assert shown_after_seconds < SHOWN_WITHIN_SECONDS
    assert re.match(r"\d+ send errors in 60 seconds", row_starting(tables["table 3"], "MMG")[7])
    assert int(row_starting(tables["table 3"], "Firetext")[4]) >= len(notification_ids) - 1


def _screenshot_console(api_url: str) -> None:
    """A screenshot of the console as it shows the failover (skipped without Chromium: the figures are checked)."""
    if not CHROMIUM.exists():
        return
    from playwright.sync_api import sync_playwright

    link = create_sign_in_link(base_url=api_url, valid_seconds=60, created_by="e2e")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(java_script_enabled=False, viewport={"width": 1440, "height": 900})
        page.goto(link)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{api_url}/ops")
        path: Path = screenshot_path("e2e-outage-and-failover")
        page.screenshot(path=path, full_page=True)
        browser.close()
    sys.stderr.write(f"\nconsole screenshot: {path}\n")
