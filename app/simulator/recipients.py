"""What happens to a message, decided by its recipient: the magic numbers and addresses Herald's test keys use."""

from __future__ import annotations

from enum import StrEnum

TEMPORARY_FAILURE_NUMBER_ENDING = "7700900003"
PERMANENT_FAILURE_NUMBER_ENDING = "7700900002"
TEMPORARY_FAILURE_ADDRESS = "temp-fail@simulator.notify"
PERMANENT_FAILURE_ADDRESS = "perm-fail@simulator.notify"


class Outcome(StrEnum):
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"


def sms_outcome(phone_number: str) -> Outcome:
    """Numbers ending 7700900003 fail temporarily, 7700900002 permanently; any other number is delivered."""
    digits = "".join(character for character in phone_number if character.isdigit())
    if digits.endswith(TEMPORARY_FAILURE_NUMBER_ENDING):
        return Outcome.TEMPORARY_FAILURE
    if digits.endswith(PERMANENT_FAILURE_NUMBER_ENDING):
        return Outcome.PERMANENT_FAILURE
    return Outcome.DELIVERED


def email_outcome(address: str) -> Outcome:
    """temp-fail@simulator.notify bounces softly, perm-fail@simulator.notify hard; anything else is delivered."""
    normalised = address.strip().lower()
    if normalised == TEMPORARY_FAILURE_ADDRESS:
        return Outcome.TEMPORARY_FAILURE
    if normalised == PERMANENT_FAILURE_ADDRESS:
        return Outcome.PERMANENT_FAILURE
    return Outcome.DELIVERED
