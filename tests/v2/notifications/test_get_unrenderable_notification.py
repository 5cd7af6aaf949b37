"""GET /v2/notifications/<id> never renders without a bound: a notification stored before today's limits (or
written around the API) that cannot be filled within them is shown with its template unfilled."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import create_notification, create_template
from tests.v2.read_api import create_service_with_key, get_as


@pytest.mark.parametrize(
    ("template_type", "content", "personalisation"),
    [
        ("email", "((a))" * 10_000, {"a": "x" * 1_000}),
        ("sms", "((a))" * 1_000, {"a": " " * 1_000}),
        ("email", "Hi ((a))", {"a": {"file": "JVBERi0="}}),
    ],
    ids=["email-too-long", "sms-too-long", "object"],
)
def test_an_unrenderable_stored_notification_is_shown_unfilled(
    client: FlaskClient, template_type: str, content: str, personalisation: dict[str, Any]
) -> None:
    caller = create_service_with_key()
    subject = "Hello ((a))" if template_type == "email" else None
    template = create_template(service=caller.service, template_type=template_type, content=content, subject=subject)
    notification = create_notification(template=template, personalisation=personalisation, api_key=caller.api_key)

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert response.status_code == 200
    assert (response.json["body"], response.json["subject"]) == (content, subject)


def test_a_notification_within_the_limits_is_still_filled(client: FlaskClient) -> None:
    caller = create_service_with_key()
    template = create_template(service=caller.service, template_type="email", content="Hi ((a))", subject="S ((a))")
    notification = create_notification(template=template, personalisation={"a": "Jo"}, api_key=caller.api_key)

    response = get_as(client, caller.api_key, f"/v2/notifications/{notification.id}")

    assert (response.json["body"], response.json["subject"]) == ("Hi Jo", "S Jo")
