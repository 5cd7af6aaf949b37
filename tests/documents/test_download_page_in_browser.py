"""The download page in a real browser (Debian's Chromium driven by Playwright) against a live Herald: open the
emailed link, type the address, submit, receive the file. Screenshots go to .data/test-artifacts/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.documents.sending import PDF_BYTES, FileSender, file_value, link_in, send_file

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / ".data" / "test-artifacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no browser: {CHROMIUM} is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (requirements-dev.txt)")


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request log line holds the whole URL, the document's key with it: keep it out of test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@pytest.fixture
def live_server(notify_api: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Herald served over HTTP from a thread; links in emails point at it."""
    server = make_server("127.0.0.1", 0, notify_api, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(notify_api.config, "DOCUMENT_DOWNLOAD_BASE_URL", base_url)
    yield base_url
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def browser_page(live_server: str) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    print(f"screenshot: {path}")  # noqa: T201 - where to look at the page
    return path


def test_a_recipient_confirms_their_address_and_receives_the_file(
    client: FlaskClient, file_sender: FileSender, browser_page: object
) -> None:
    page = browser_page
    value = file_value(filename="Your letter.pdf")
    link = link_in(send_file(client, file_sender, value).get_json()["content"]["body"])

    page.goto(link.url)  # type: ignore[attr-defined]
    assert page.title() == "Confirm your email address"  # type: ignore[attr-defined]
    page.get_by_label("Email address").fill("wrong@example.com")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Continue to download").click()  # type: ignore[attr-defined]
    error_summary = page.get_by_role("alert")  # type: ignore[attr-defined]
    assert "Enter the email address this file was sent to" in error_summary.inner_text()
    screenshot(page, "document-download-wrong-address")
    page.get_by_label("Email address").fill("Someone@example.com")  # type: ignore[attr-defined]
    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Continue to download").click()  # type: ignore[attr-defined]
    download = download_info.value
    screenshot(page, "document-download-confirmed")

    assert download.suggested_filename == "Your letter.pdf"
    assert Path(download.path()).read_bytes() == PDF_BYTES


def test_a_file_without_confirmation_downloads_from_its_link(
    client: FlaskClient, file_sender: FileSender, browser_page: object
) -> None:
    page = browser_page
    value = file_value(b"name,amount\nJo,12\n", is_csv=True, confirm_email_before_download=False)
    link = link_in(send_file(client, file_sender, value).get_json()["content"]["body"])

    page.goto(link.url)  # type: ignore[attr-defined]
    screenshot(page, "document-download-page")
    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        page.get_by_role("link", name="Download the file").click()  # type: ignore[attr-defined]
    download = download_info.value

    assert download.suggested_filename == "file.csv"
    assert Path(download.path()).read_bytes() == b"name,amount\nJo,12\n"
