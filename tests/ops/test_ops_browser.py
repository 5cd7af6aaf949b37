"""The console in a real browser (Debian's headless Chromium, JavaScript off): sign in through a printed link, read
the page, watch it refresh itself, sign out. Screenshots go to .data/test-artifacts/ops/."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from app.dao.provider_details_dao import dao_get_provider_details_by_identifier, dao_update_provider_details
from app.ops.sign_in import create_sign_in_link
from app.recent_event_counts import EventKind, count_recent_event
from tests.ops.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, screenshot_path

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")


class _UnloggedRequestHandler(WSGIRequestHandler):
    """werkzeug logs each request line, and a sign-in link's path is its token: Herald's own request log names only
    the URL rule."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@pytest.fixture
def console_url(notify_api: Flask, notify_db_session: None) -> Iterator[str]:
    """Herald's app served over HTTP by werkzeug in a thread, on the test database."""
    server = make_server("127.0.0.1", 0, notify_api, threaded=True, request_handler=_UnloggedRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_an_operator_signs_in_reads_the_console_and_signs_out_without_javascript(
    notify_api: Flask,
    traffic: None,
    console_url: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import sync_playwright

    mmg = dao_get_provider_details_by_identifier("mmg")
    dao_update_provider_details(mmg, reason="57 send errors in 60 seconds", priority=41)
    for _ in range(57):
        count_recent_event(EventKind.PROVIDER_ERROR, "mmg")
    link = create_sign_in_link(base_url=console_url, valid_seconds=300, created_by="browser test")
    problems: list[str] = []
    monkeypatch.setitem(notify_api.config, "OPS_REFRESH_SECONDS", 300)  # read the page before it reloads

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False, viewport={"width": 1440, "height": 900})
        page = context.new_page()
        # Any resource refused (by the CSP or a missing file) is a console error; the 401 page itself is expected.
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))

        page.goto(link)
        page.screenshot(path=screenshot_path("1-sign-in"), full_page=True)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{console_url}/ops")
        page.screenshot(path=screenshot_path("2-console"), full_page=True)
        heading = page.get_by_role("heading", name="Operator console").is_visible()
        normal_sms = page.locator("table.traffic").first.locator("tr", has_text="normal").first.inner_text()
        masthead_colour = page.locator(".masthead").evaluate("element => getComputedStyle(element).backgroundColor")
        chart_lines = page.locator("svg polyline").count()
        monkeypatch.setitem(notify_api.config, "OPS_REFRESH_SECONDS", 2)
        page.reload()
        with page.expect_navigation(timeout=15_000):  # the meta refresh, with no script
            pass
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{console_url}/ops/signed-out")
        page.screenshot(path=screenshot_path("3-signed-out"), full_page=True)
        after_sign_out = page.goto(f"{console_url}/ops")
        refused_status = after_sign_out.status if after_sign_out else None
        page.screenshot(path=screenshot_path("4-sign-in-needed"), full_page=True)
        browser.close()

    with capsys.disabled():
        sys.stderr.write(f"\nconsole screenshots: {ARTIFACTS}\n")
    assert heading
    assert normal_sms.split() == ["sms", "normal", "5", "3", "3", "0", "0", "1", "2.00", "s", "2.90", "s", "2.98", "s"]
    assert masthead_colour == "rgb(15, 23, 42)"  # the stylesheet loaded under the page's CSP
    assert chart_lines >= 4
    assert refused_status == 401
    assert [problem for problem in problems if "status of 401" not in problem] == []
