"""POST /v2/template/<id>/preview costs at most what the largest message costs: personalisation and the filled size
are checked before anything is rendered, objects are never written as text."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import create_template
from tests.v2.read_api import create_service_with_key, post_as


def _preview(client: FlaskClient, content: str, personalisation: dict, template_type: str = "email"):
    caller = create_service_with_key()
    subject = "s" if template_type == "email" else None
    template = create_template(service=caller.service, template_type=template_type, content=content, subject=subject)
    response = post_as(
        client, caller.api_key, f"/v2/template/{template.id}/preview", {"personalisation": personalisation}
    )
    return response, caller.service


def _messages(response) -> list[str]:
    return [error["message"] for error in response.json["errors"]]


def test_the_issue_preview_with_many_parentheses_after_a_link_is_rendered(client: FlaskClient) -> None:
    """150,000 `)` after a link once took 12 s of CPU; the trim is linear now (tests/templating/test_linear_time)."""
    response, _ = _preview(client, "See ((link))", {"link": "https://www.gov.uk/x" + ")" * 150_000})

    assert response.status_code == 200
    assert 'href="https://www.gov.uk/x"' in response.json["html"]
    assert response.json["html"].count(")") >= 150_000


def test_a_preview_that_would_fill_past_the_email_limit_is_refused_before_rendering(client: FlaskClient) -> None:
    response, _ = _preview(client, "((a))" * 10_000, {"a": "[" * 1_000})

    assert (response.status_code, _messages(response)) == (
        400,
        ["Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 10000000 bytes."],
    )


def test_a_preview_that_would_fill_past_the_sms_bound_is_refused(client: FlaskClient) -> None:
    response, _ = _preview(client, "((a))" * 100, {"a": "\n" * 2_000}, template_type="sms")

    assert (response.status_code, _messages(response)) == (
        400,
        [
            "Your message is too long. Text messages cannot be longer than 918 characters. "
            "Your message is 200000 characters long."
        ],
    )


def test_an_object_is_not_previewed_as_text(client: FlaskClient) -> None:
    response, _ = _preview(client, "Hi ((a))", {"a": {"nested": True}})

    assert (response.status_code, _messages(response)) == (
        400,
        [
            "personalisation a must be text, a number, true or false, null or a list of those "
            "(an object is accepted only as a file to send by email)"
        ],
    )


def test_a_file_in_a_preview_gets_the_same_answer_as_a_send(client: FlaskClient) -> None:
    response, service = _preview(client, "Hi ((a))", {"a": {"file": "JVBERi0xLjQ=", "filename": "a.pdf"}})

    assert (response.status_code, _messages(response)) == (
        400,
        [
            "Send files by email has not been set up - add contact details for your service at "
            f"https://www.notifications.service.gov.uk/services/{service.id}/service-settings/send-files-by-email"
        ],
    )
