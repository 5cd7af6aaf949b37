"""Tests for smoke-test recipients and the simulated outcomes of test API keys."""

import pytest

from app.notification_status import NotificationStatus
from app.recipients.simulated import is_smoke_test_recipient, simulated_outcome


@pytest.mark.parametrize(
    "number",
    ["07700900000", "07700900111", "07700900222", "+447700900000", "447700900111", "07700 900 222"],
    ids=str,
)
def test_smoke_test_phone_numbers_are_recognised_in_any_format(number):
    assert is_smoke_test_recipient(number, "sms")


@pytest.mark.parametrize(
    "address",
    [
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        " Simulate-Delivered-3@Notifications.Service.Gov.UK ",
    ],
    ids=str,
)
def test_smoke_test_email_addresses_are_recognised_whatever_their_case(address):
    assert is_smoke_test_recipient(address, "email")


@pytest.mark.parametrize(
    ("recipient", "notification_type"),
    [
        ("07700900123", "sms"),
        ("07700900333", "sms"),
        ("not a number", "sms"),
        ("simulate-delivered-4@notifications.service.gov.uk", "email"),
        ("07700900000", "email"),
        ("simulate-delivered@notifications.service.gov.uk", "sms"),
        ("07700900000", "letter"),
    ],
    ids=[
        "other-number",
        "other-drama-number",
        "invalid",
        "other-address",
        "number-as-email",
        "address-as-sms",
        "letter",
    ],
)
def test_other_recipients_are_not_smoke_test_recipients(recipient, notification_type):
    assert not is_smoke_test_recipient(recipient, notification_type)


@pytest.mark.parametrize(
    ("recipient", "notification_type", "outcome"),
    [
        ("07700900003", "sms", "temporary-failure"),
        ("+44 7700 900003", "sms", "temporary-failure"),
        ("07700900002", "sms", "permanent-failure"),
        ("447700900002", "sms", "permanent-failure"),
        ("07700900123", "sms", "delivered"),
        ("temp-fail@simulator.notify", "email", "temporary-failure"),
        ("Perm-Fail@Simulator.Notify", "email", "permanent-failure"),
        ("ada@example.com", "email", "delivered"),
        ("temp-fail@simulator.notify", "sms", "delivered"),
        ("07700900003", "email", "delivered"),
    ],
    ids=lambda value: value,
)
def test_simulated_outcome(recipient, notification_type, outcome):
    assert simulated_outcome(recipient, notification_type) == outcome


def test_simulated_outcome_is_a_notification_status():
    assert simulated_outcome("07700900002", "sms") is NotificationStatus.PERMANENT_FAILURE
