"""Send a file by email with GOV.UK Notify's official Python client (`prepare_upload`) to a live Herald under
gunicorn, then fetch it from the link in the email the way a browser would: the page, the form, the file."""

from __future__ import annotations

import io
import re

import pytest
import requests
from notifications_python_client import NotificationsAPIClient, prepare_upload

from app.dao.services_dao import dao_get_service_by_id, dao_update_service
from tests.e2e.live_service import LiveService

pytestmark = pytest.mark.e2e

CSV = b"reference,amount\nHX-1,12.50\n"


@pytest.fixture
def notify_client(live_herald_url: str, live_service: LiveService) -> NotificationsAPIClient:
    dao_update_service(dao_get_service_by_id(live_service.service.id), contact_link="help@example.gov.uk")
    return NotificationsAPIClient(live_service.key_string, base_url=live_herald_url)


def test_a_file_sent_with_the_python_client_downloads_from_the_link_in_the_email(
    notify_client: NotificationsAPIClient, live_service: LiveService, live_herald_url: str
) -> None:
    upload = prepare_upload(io.BytesIO(CSV), filename="statement.csv", retention_period="4 weeks")

    answer = notify_client.send_email_notification(
        email_address="person@example.com",
        template_id=str(live_service.email_template.id),
        personalisation={"name": "Jo", "body": upload},
    )

    [link] = re.findall(rf"{re.escape(live_herald_url)}/d/\S+", answer["content"]["body"])
    with requests.Session() as browser:
        page = browser.get(link, timeout=10)
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token is not None
        wrong = browser.post(link, data={"email_address": "someone@example.com", "form_token": token[1]}, timeout=10)
        served = browser.post(link, data={"email_address": "Person@Example.com", "form_token": token[1]}, timeout=10)

    assert (page.status_code, wrong.status_code, served.status_code) == (200, 400, 200)
    assert "mailto:help@example.gov.uk" in page.text
    assert served.content == CSV
    assert served.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert served.headers["Content-Disposition"].startswith('attachment; filename="statement.csv"')
