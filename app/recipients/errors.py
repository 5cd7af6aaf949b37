"""Why a recipient was refused: typed errors carrying the exact message the v2 API shows (GOV.UK Notify's texts).

These are plain exceptions, free of Flask; the API translates them at its edge (a `ValidationError` prefixed
with the field name at the schema stage, `InvalidPhoneError` / `BadRequestError` at the recipient stage).
"""

from __future__ import annotations

NOT_ENOUGH_DIGITS = "Not enough digits"
TOO_MANY_DIGITS = "Too many digits"
NOT_A_UK_MOBILE = "Not a UK mobile number"
UNKNOWN_CHARACTER = "Must not contain letters or symbols"
NOT_A_VALID_COUNTRY_PREFIX = "Not a valid country prefix"
# Notify has no legacy text for a number of the right length whose digits are not a real number, so v2 shows
# the current one.
NOT_A_VALID_NUMBER = "Number is not valid – double check the phone number you entered"
INTERNATIONAL_NOT_ALLOWED = "Cannot send to international mobile numbers"
NOT_A_VALID_EMAIL_ADDRESS = "Not a valid email address"


class InvalidRecipientError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidPhoneError(InvalidRecipientError):
    """The text is not a phone number we can send to; `message` says why."""


class InternationalNotAllowedError(InvalidRecipientError):
    """A valid number outside the UK (Crown dependencies included) for a service without international SMS.

    Not a subclass of `InvalidPhoneError`: the v2 API answers it with a `BadRequestError`, not an
    `InvalidPhoneError`, so catching one must not swallow the other.
    """

    def __init__(self, message: str = INTERNATIONAL_NOT_ALLOWED) -> None:
        super().__init__(message)


class InvalidEmailError(InvalidRecipientError):
    def __init__(self, message: str = NOT_A_VALID_EMAIL_ADDRESS) -> None:
        super().__init__(message)
