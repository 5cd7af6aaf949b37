"""GET a letter: its PDF (with Notify's errors) and its v2 representation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app.letters.create_pdf import create_letter_pdf
from app.models import ApiKey, Notification
from tests.auth_helpers import service_auth_header
from tests.contract import validate_against_client_schema
from tests.factories import create_api_key, create_notification, create_service, create_template

PERSONALISATION = {"address_line_1": "Ann Other", "address_line_2": "1 High St", "postcode": "sw1a 1aa"}


@pytest.fixture
def api_key(notify_db_session: None) -> ApiKey:
    return create_api_key(service=create_service(permissions=["letter"]))


def _letter_for(api_key: ApiKey, **settings: object) -> Notification:
    template = create_template(service=_service_of(api_key), template_type="letter", content="Hello ((address_line_1))")
    return create_notification(
        template=template,
        to="Ann Other\n1 High St\nSW1A 1AA",
        personalisation=PERSONALISATION,
        reference="ABCDEFGHIJ123456",
        created_at=datetime(2000, 6, 1, 10, 0, tzinfo=UTC),
        **settings,  # type: ignore[arg-type]
    )


def _service_of(api_key: ApiKey) -> object:
    from app.dao.services_dao import dao_get_service_by_id

    return dao_get_service_by_id(api_key.service_id)


def _get(client: FlaskClient, api_key: ApiKey, path: str) -> tuple[int, object]:
    response = client.get(path, headers=[service_auth_header(api_key)])
    return response.status_code, response.get_json() if response.is_json else response.data


def _error(status: int, error: str, message: str) -> tuple[int, object]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


def test_the_pdf_is_not_ready_until_it_is_made(client: FlaskClient, api_key: ApiKey, letters_directory: Path) -> None:
    notification = _letter_for(api_key)

    before = _get(client, api_key, f"/v2/notifications/{notification.id}/pdf")
    create_letter_pdf(notification.id)
    response = client.get(f"/v2/notifications/{notification.id}/pdf", headers=[service_auth_header(api_key)])

    assert before == _error(400, "PDFNotReadyError", "PDF not available yet, try again later")
    assert (response.status_code, response.mimetype) == (200, "application/pdf")
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        ("technical-failure", "BadRequestError", "PDF not available for letters in status technical-failure"),
        ("virus-scan-failed", "BadRequestError", "File did not pass the virus scan"),
        ("pending-virus-check", "PDFNotReadyError", "PDF not available yet, try again later"),
    ],
)
def test_the_pdf_of_a_letter_in_these_statuses_is_refused(
    client: FlaskClient, api_key: ApiKey, status: str, error: str, message: str
) -> None:
    notification = _letter_for(api_key, status=status)

    assert _get(client, api_key, f"/v2/notifications/{notification.id}/pdf") == _error(400, error, message)


def test_the_pdf_of_a_text_message_is_refused(client: FlaskClient, api_key: ApiKey) -> None:
    notification = create_notification(template=create_template(service=_service_of(api_key)))  # type: ignore[arg-type]

    assert _get(client, api_key, f"/v2/notifications/{notification.id}/pdf") == _error(
        400, "BadRequestError", "Notification is not a letter"
    )


def test_the_pdf_of_an_unknown_or_malformed_id(client: FlaskClient, api_key: ApiKey) -> None:
    assert _get(client, api_key, f"/v2/notifications/{uuid.uuid4()}/pdf") == _error(
        404, "NoResultFound", "No result found"
    )
    assert _get(client, api_key, "/v2/notifications/nope/pdf") == _error(
        400, "ValidationError", "notification_id is not a valid UUID"
    )


def test_a_letter_is_shown_as_notify_shows_it(client: FlaskClient, api_key: ApiKey) -> None:
    notification = _letter_for(api_key, billable_units=1)

    status, body = _get(client, api_key, f"/v2/notifications/{notification.id}")

    assert status == 200
    validate_against_client_schema(body, "notification_schemas.get_notification_response.json")
    assert isinstance(body, dict)
    assert {key: body[key] for key in ("line_1", "line_2", "line_3", "postcode", "type", "status", "postage")} == {
        "line_1": "Ann Other",
        "line_2": "1 High St",
        "line_3": None,
        "postcode": "sw1a 1aa",
        "type": "letter",
        "status": "accepted",
        "postage": "second",
    }
    assert (body["body"], body["subject"]) == ("Hello Ann Other", "Main heading")
    assert body["estimated_delivery"] == "2000-06-09T15:00:00.000000Z"
    assert body["cost_details"] == {"billable_sheets_of_paper": 1, "postage": "second"}
    assert body["is_cost_data_ready"] is True


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("created", "accepted"), ("sending", "accepted"), ("delivered", "received"), ("returned-letter", "received")],
)
def test_letter_statuses_have_their_v2_names(client: FlaskClient, api_key: ApiKey, stored: str, shown: str) -> None:
    notification = _letter_for(api_key, status=stored)

    _, body = _get(client, api_key, f"/v2/notifications/{notification.id}")

    assert isinstance(body, dict)
    assert body["status"] == shown


def test_the_accepted_and_received_filters_match_letters(client: FlaskClient, api_key: ApiKey) -> None:
    created = _letter_for(api_key, status="created")
    delivered = _letter_for(api_key, status="delivered")
    _letter_for(api_key, status="returned-letter")

    _, accepted = _get(client, api_key, "/v2/notifications?status=accepted")
    _, received = _get(client, api_key, "/v2/notifications?status=received")

    assert isinstance(accepted, dict)
    assert isinstance(received, dict)
    assert [item["id"] for item in accepted["notifications"]] == [str(created.id)]
    assert [item["id"] for item in received["notifications"]] == [str(delivered.id)]
