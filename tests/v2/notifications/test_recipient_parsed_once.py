"""A send's recipient is parsed once, by the request schema, and what it found is what is stored and sent."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from flask.testing import FlaskClient

from app.dao.notifications_dao import dao_get_notification_by_id
from app.recipients import phone_numbers
from tests.v2.notifications.send_api import create_sender, post_send, sms_body


def test_an_sms_recipient_is_parsed_once_per_request(client: FlaskClient) -> None:
    sender = create_sender()

    with patch("app.notifications.validators.parse_phone_number", wraps=phone_numbers.parse_phone_number) as parse:
        response = post_send(client, sender.api_key, "sms", sms_body(sender))

    assert (response.status_code, parse.call_count) == (201, 1)


def test_the_stored_recipient_is_the_one_the_schema_parsed(client: FlaskClient) -> None:
    sender = create_sender()

    response = post_send(client, sender.api_key, "sms", {**sms_body(sender), "phone_number": "+33 6 12 34 56 78"})

    notification = dao_get_notification_by_id(response.get_json()["id"])
    assert (notification.normalised_to, notification.international, notification.phone_prefix) == (
        "33612345678",
        True,
        "33",
    )


@pytest.mark.parametrize(
    ("normalised", "is_international", "prefix", "expected"),
    [
        ("447700900123", False, "44", (False, True, 1)),
        ("12025550123", True, "1", (True, False, 1)),
        ("33612345678", True, "33", (True, True, 2)),
    ],
    ids=["uk", "international without receipts", "international with receipts"],
)
def test_a_stored_number_is_rebuilt_without_parsing_again(
    normalised: str, is_international: bool, prefix: str, expected: tuple[bool, bool, int]
) -> None:
    with patch.object(phone_numbers, "parse_phone_number") as parse:
        number = phone_numbers.stored_phone_number(normalised, is_international=is_international, country_prefix=prefix)

    assert (number.normalised, (number.is_international, number.has_delivery_receipts, number.rate_multiplier)) == (
        normalised,
        expected,
    )
    assert parse.call_count == 0


@pytest.mark.parametrize("stored", [None, "", "+447700900123", "not a number", "٤٤٧٧٠٠٩٠٠١٢٣"], ids=repr)
def test_a_stored_number_that_is_not_e164_is_refused(stored: str | None) -> None:
    with pytest.raises(phone_numbers.InvalidPhoneError):
        phone_numbers.stored_phone_number(stored, is_international=False, country_prefix="44")
