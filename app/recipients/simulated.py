"""Recipients that are never really sent to: smoke-test recipients, and the magic outcomes for test API keys.

Smoke-test recipients are validated and answered 201 but nothing is stored or sent. With a test key, any
recipient gets a simulated receipt; numbers ending 7700900003 and `temp-fail@simulator.notify` fail temporarily,
numbers ending 7700900002 and `perm-fail@simulator.notify` fail permanently, everything else is delivered.
"""

from __future__ import annotations

from app.notification_status import NotificationStatus
from app.recipients.email_addresses import normalise_email_address
from app.recipients.errors import InvalidPhoneError
from app.recipients.phone_numbers import validate_phone_number_format

SMS_TYPE = "sms"
EMAIL_TYPE = "email"

SMOKE_TEST_PHONE_NUMBERS = frozenset({"447700900000", "447700900111", "447700900222"})
SMOKE_TEST_EMAIL_ADDRESSES = frozenset(
    {
        "simulate-delivered@notifications.service.gov.uk",
        "simulate-delivered-2@notifications.service.gov.uk",
        "simulate-delivered-3@notifications.service.gov.uk",
    }
)

TEMPORARY_FAILURE_NUMBER_ENDING = "7700900003"
PERMANENT_FAILURE_NUMBER_ENDING = "7700900002"
TEMPORARY_FAILURE_EMAIL_ADDRESS = "temp-fail@simulator.notify"
PERMANENT_FAILURE_EMAIL_ADDRESS = "perm-fail@simulator.notify"


def is_smoke_test_recipient(recipient: str, notification_type: str) -> bool:
    """Whether the recipient is one of the smoke-test numbers or addresses for this notification type."""
    if notification_type == SMS_TYPE:
        return _normalised_phone_number(recipient) in SMOKE_TEST_PHONE_NUMBERS
    if notification_type == EMAIL_TYPE:
        return normalise_email_address(recipient) in SMOKE_TEST_EMAIL_ADDRESSES
    return False


def simulated_outcome(recipient: str, notification_type: str) -> NotificationStatus:
    """Return the final status a test-key notification to `recipient` is given (a `str` enum)."""
    if notification_type == SMS_TYPE:
        number = _normalised_phone_number(recipient)
        if number.endswith(TEMPORARY_FAILURE_NUMBER_ENDING):
            return NotificationStatus.TEMPORARY_FAILURE
        if number.endswith(PERMANENT_FAILURE_NUMBER_ENDING):
            return NotificationStatus.PERMANENT_FAILURE
    if notification_type == EMAIL_TYPE:
        address = normalise_email_address(recipient)
        if address == TEMPORARY_FAILURE_EMAIL_ADDRESS:
            return NotificationStatus.TEMPORARY_FAILURE
        if address == PERMANENT_FAILURE_EMAIL_ADDRESS:
            return NotificationStatus.PERMANENT_FAILURE
    return NotificationStatus.DELIVERED


def _normalised_phone_number(recipient: str) -> str:
    try:
        return validate_phone_number_format(recipient)
    except InvalidPhoneError:
        return "".join(character for character in recipient if character.isdigit())
