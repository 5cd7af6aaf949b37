"""GOV.UK Notify's official Node client (notifications-node-client from npm), unchanged, against a live Herald
under gunicorn: every method it has for SMS and email, each answer checked with the clients' JSON schemas.

A small script (`node/drive_client.js`) makes the calls and prints what came back; these tests assert on that.
The client is installed from `node/package-lock.json` with `npm ci` when `node/node_modules` is missing.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.dao.templates_dao import dao_update_template
from tests.contract import validate_against_client_schema
from tests.e2e.live_service import LiveService, has_route
from tests.factories import create_inbound_sms, create_notification, create_notifications, create_template

pytestmark = pytest.mark.e2e

NODE_DIRECTORY = Path(__file__).resolve().parent / "node"
NODE_TIMEOUT_SECONDS = 60
NPM_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Call:
    label: str
    method: str
    args: tuple[Any, ...] = ()


@pytest.fixture(scope="session")
def node_client_installed() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed here: the Node client cannot be checked")
    # pytest-xdist workers share the directory: one installs while the others wait on the lock.
    with (NODE_DIRECTORY / ".npm-install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (NODE_DIRECTORY / "node_modules" / "notifications-node-client").is_dir():
            subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund"],
                cwd=NODE_DIRECTORY,
                check=True,
                capture_output=True,
                timeout=NPM_TIMEOUT_SECONDS,
            )


@pytest.fixture
def sends_have_landed(notify_api: Flask) -> None:
    for path in ("/v2/notifications/sms", "/v2/notifications/email"):
        if not has_route(notify_api, path, "POST"):
            pytest.skip(f"POST {path} has not landed yet: the send methods cannot be checked")


@pytest.fixture
def run_node_client(node_client_installed: None, live_herald_url: str, live_service: LiveService) -> Any:
    def run(*calls: Call) -> dict[str, dict[str, Any]]:
        plan = {
            "baseUrl": live_herald_url,
            "apiKey": live_service.key_string,
            "calls": [{"label": call.label, "method": call.method, "args": list(call.args)} for call in calls],
        }
        finished = subprocess.run(
            ["node", "drive_client.js"],
            cwd=NODE_DIRECTORY,
            input=json.dumps(plan),
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT_SECONDS,
            check=False,
        )
        assert finished.returncode == 0, finished.stderr
        return {result["label"]: result for result in json.loads(finished.stdout)}

    return run


def succeeded(result: dict[str, Any]) -> dict[str, Any]:
    assert result["ok"], result
    return result["data"]


def test_template_methods(run_node_client: Any, live_service: LiveService) -> None:
    sms_id, email_id = str(live_service.sms_template.id), str(live_service.email_template.id)
    plain = create_template(service=live_service.service, content="No placeholders", name="Plain")
    dao_update_template(live_service.sms_template, content="Changed ((name))")

    results = run_node_client(
        Call("by id", "getTemplateById", (email_id,)),
        Call("by version", "getTemplateByIdAndVersion", (sms_id, 1)),
        Call("all", "getAllTemplates"),
        Call("all sms", "getAllTemplates", ("sms",)),
        Call("preview", "previewTemplateById", (email_id, {"name": "Jo", "body": "See you"})),
        Call("preview without personalisation", "previewTemplateById", (str(plain.id),)),
    )

    by_id = succeeded(results["by id"])
    validate_against_client_schema(by_id, "template_schemas.get_template_by_id_response")
    assert by_id["subject"] == "Hi ((name))"
    by_version = succeeded(results["by version"])
    validate_against_client_schema(by_version, "template_schemas.get_template_by_id_response")
    assert (by_version["version"], by_version["body"]) == (1, "Hello ((name)), your code is ((code))")
    validate_against_client_schema(succeeded(results["all"]), "templates_schemas.get_all_template_response")
    assert len(succeeded(results["all"])["templates"]) == 4  # sms, email, letter and "Plain"
    assert {template["type"] for template in succeeded(results["all sms"])["templates"]} == {"sms"}
    preview = succeeded(results["preview"])
    validate_against_client_schema(preview, "template_schemas.post_template_preview_response")
    assert (preview["subject"], preview["body"]) == ("Hi Jo", "Dear Jo,\n\nSee you")
    assert succeeded(results["preview without personalisation"])["body"] == "No placeholders"


def test_notification_reading_methods(run_node_client: Any, live_service: LiveService) -> None:
    notifications = create_notifications(template=live_service.sms_template, count=260)
    referenced = create_notification(
        template=live_service.email_template, client_reference="ref/1 2", personalisation={"name": "A", "body": "B"}
    )

    results = run_node_client(
        Call("one", "getNotificationById", (str(referenced.id),)),
        Call("first page", "getNotifications", ("sms", "delivered")),
        Call("second page", "getNotifications", ("sms", "delivered", None, str(notifications[249].id))),
        Call("by reference", "getNotifications", (None, None, "ref/1 2")),
    )

    one = succeeded(results["one"])
    validate_against_client_schema(one, "notification_schemas.get_notification_response")
    assert (one["body"], one["subject"]) == ("Dear A,\n\nB", "Hi A")
    first_page = succeeded(results["first page"])
    validate_against_client_schema(first_page, "notification_schemas.get_notifications_response")
    assert [item["id"] for item in first_page["notifications"]] == [str(item.id) for item in notifications[:250]]
    assert f"older_than={notifications[249].id}" in first_page["links"]["next"]
    second_page = succeeded(results["second page"])
    assert [item["id"] for item in second_page["notifications"]] == [str(item.id) for item in notifications[250:]]
    assert [item["id"] for item in succeeded(results["by reference"])["notifications"]] == [str(referenced.id)]


def test_received_texts(run_node_client: Any, live_service: LiveService) -> None:
    message = create_inbound_sms(service=live_service.service, content="STOP")

    results = run_node_client(
        Call("all", "getReceivedTexts"),
        Call("older", "getReceivedTexts", (str(message.id),)),
    )

    page = succeeded(results["all"])
    validate_against_client_schema(page, "inbound_sms_schemas.get_inbound_sms_response")
    assert [item["content"] for item in page["received_text_messages"]] == ["STOP"]
    assert succeeded(results["older"])["received_text_messages"] == []


def test_refusals_reach_the_client_in_the_v2_envelope(run_node_client: Any, live_service: LiveService) -> None:
    results = run_node_client(
        Call("unknown notification", "getNotificationById", (str(uuid.uuid4()),)),
        Call("bad template type", "getNotifications", ("orange",)),
        Call("missing personalisation", "previewTemplateById", (str(live_service.sms_template.id), {"name": "Jo"})),
        Call("unknown version", "getTemplateByIdAndVersion", (str(live_service.sms_template.id), 5)),
    )

    assert (results["unknown notification"]["status"], results["unknown notification"]["data"]) == (
        404,
        {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]},
    )
    assert results["bad template type"]["data"]["errors"] == [
        {"error": "ValidationError", "message": "template_type orange is not one of [sms, email, letter]"}
    ]
    assert results["missing personalisation"]["data"]["errors"] == [
        {"error": "BadRequestError", "message": "Missing personalisation: code"}
    ]
    assert results["unknown version"]["status"] == 404


@pytest.mark.usefixtures("sends_have_landed")
def test_send_methods(run_node_client: Any, live_service: LiveService) -> None:
    sms_options = {
        "personalisation": {"name": "Jo", "code": "42"},
        "reference": "node-sms",
        "smsSenderId": str(live_service.sms_sender.id),
    }
    email_options = {
        "personalisation": {"name": "User, [click here](https://evil.link)", "body": "Hello"},
        "reference": "node-email",
        "emailReplyToId": str(live_service.email_reply_to.id),
        "oneClickUnsubscribeURL": "https://example.com/unsubscribe",
        "sanitiseContentFor": ["name"],
    }

    results = run_node_client(
        Call("sms", "sendSms", (str(live_service.sms_template.id), "07700900123", sms_options)),
        Call("email", "sendEmail", (str(live_service.email_template.id), "someone@example.com", email_options)),
        Call("plain email", "sendEmail", (str(live_service.email_template.id), "a@example.com", {
            "personalisation": {"name": "A", "body": "B"}
        })),
        Call("bad template", "sendSms", ("not-a-uuid", "07700900123")),
    )  # fmt: skip

    sms = succeeded(results["sms"])
    validate_against_client_schema(sms, "notification_schemas.post_sms_response")
    assert (sms["content"]["body"], sms["reference"]) == ("Hello Jo, your code is 42", "node-sms")
    email = succeeded(results["email"])
    validate_against_client_schema(email, "notification_schemas.post_email_response")
    assert email["content"]["body"].startswith("Dear User, \\[click here\\]\\(\\)")
    assert email["sanitised_content"]["name"]["sanitised"] == "User, \\[click here\\]\\(\\)"
    assert email["content"]["one_click_unsubscribe_url"] == "https://example.com/unsubscribe"
    assert succeeded(results["plain email"])["content"]["one_click_unsubscribe_url"] is None
    assert results["bad template"]["data"]["errors"] == [
        {"error": "ValidationError", "message": "template_id is not a valid UUID"}
    ]
