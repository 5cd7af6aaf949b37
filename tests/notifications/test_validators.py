"""The business rules of a single send, each raising the typed error and exact words GOV.UK Notify uses."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from app.errors import BadRequestError, InvalidEmailError, InvalidPhoneError
from app.notifications import validators
from app.notifications.templates_for_sending import SendableTemplate
from app.templating.sms import render_sms
from tests.factories import build_serialised_service

TRIAL_MODE = "Can’t send to this recipient when service is in trial mode – see https://www.notifications.service.gov.uk/trial-mode"
TEAM_KEY = "Can’t send to this recipient using a team-only API key"

SERVICE = build_serialised_service(
    permissions=frozenset({"sms", "email"}), guest_list=frozenset({"07700 900456", "Team.Member@Example.com"})
)
SMS_TEMPLATE = SendableTemplate(
    id=uuid.uuid4(),
    service_id=SERVICE.id,
    version=1,
    template_type="sms",
    content="Hello ((name)), ((code))",
    subject=None,
    archived=False,
    process_type="normal",
)
EMAIL_TEMPLATE = replace(SMS_TEMPLATE, template_type="email", subject="About ((topic))", content="Dear ((name))")


@pytest.mark.parametrize(
    ("notification_type", "message"),
    [
        ("sms", "Service is not allowed to send text messages"),
        ("email", "Service is not allowed to send emails"),
        ("letter", "Service is not allowed to send letters"),
    ],
    ids=["sms", "email", "letter"],
)
def test_a_service_without_the_permission_for_a_type_is_refused(notification_type: str, message: str) -> None:
    service = replace(SERVICE, permissions=frozenset())

    with pytest.raises(BadRequestError) as refused:
        validators.check_service_can_send(service, notification_type)

    assert refused.value.message == message


@pytest.mark.parametrize(
    ("template", "notification_type", "message"),
    [
        (EMAIL_TEMPLATE, "sms", "email template is not suitable for sms notification"),
        (SMS_TEMPLATE, "email", "sms template is not suitable for email notification"),
    ],
    ids=["email-template-for-sms", "sms-template-for-email"],
)
def test_a_template_of_another_type_is_refused(
    template: SendableTemplate, notification_type: str, message: str
) -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_template_is_for_notification_type(template, notification_type)

    assert refused.value.message == message


def test_an_archived_template_is_refused() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_template_is_active(replace(SMS_TEMPLATE, archived=True))

    assert refused.value.message == "Template has been deleted"


def test_missing_personalisation_is_listed_in_template_order() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_personalisation_is_complete(SMS_TEMPLATE, {"NAME": "Jo"})

    assert refused.value.message == "Missing personalisation: code"


def test_an_email_subjects_placeholders_are_required_too() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_personalisation_is_complete(EMAIL_TEMPLATE, {})

    assert refused.value.message == "Missing personalisation: topic, name"


def test_a_null_personalisation_value_counts_as_missing() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_personalisation_is_complete(SMS_TEMPLATE, {"name": "Jo", "code": None})

    assert refused.value.message == "Missing personalisation: code"


def test_an_empty_sms_is_refused() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_sms_is_not_empty(render_sms("((name))", {"name": "  "}))

    assert refused.value.message == "Your message is empty."


def test_an_empty_email_is_refused() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_email_is_not_empty("\n  \n")

    assert refused.value.message == "Your message is empty."


def test_an_sms_of_918_characters_is_allowed() -> None:
    validators.check_sms_is_not_too_long(render_sms("a" * 918, {}))


def test_an_sms_over_918_characters_is_refused_with_its_length() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_sms_is_not_too_long(render_sms("a" * 900 + "((x))", {"x": "b" * 19}))

    assert refused.value.message == (
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 919 characters long."
    )


def test_the_service_name_prefix_does_not_count_towards_the_sms_limit() -> None:
    validators.check_sms_is_not_too_long(render_sms("a" * 918, {}, prefix="A long service name"))


def test_an_email_over_2000000_bytes_is_refused_with_its_size() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_email_is_not_too_long("é" * 1_000_001)

    assert refused.value.message == (
        "Your message is too long. Emails cannot be longer than 2000000 bytes. Your message is 2000002 bytes."
    )


@pytest.mark.parametrize(
    ("key_type", "restricted"),
    [("test", True), ("test", False), ("normal", False)],
    ids=["test-key-on-trial", "test-key-live", "live-key-live-service"],
)
def test_anyone_may_receive_from_a_test_key_or_a_live_key_of_a_live_service(key_type: str, restricted: bool) -> None:
    validators.check_recipient_is_allowed(replace(SERVICE, restricted=restricted), key_type, "447700900999")


@pytest.mark.parametrize(
    "recipient", ["447700900456", "team.member@example.com"], ids=["guest-list-number", "team-member-address"]
)
def test_a_trial_service_may_send_to_its_guest_list(recipient: str) -> None:
    validators.check_recipient_is_allowed(replace(SERVICE, restricted=True), "normal", recipient)


def test_a_trial_service_may_not_send_to_anyone_else() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_recipient_is_allowed(replace(SERVICE, restricted=True), "normal", "447700900999")

    assert refused.value.message == TRIAL_MODE


def test_a_team_key_may_send_to_the_guest_list_of_a_live_service() -> None:
    validators.check_recipient_is_allowed(SERVICE, "team", "447700900456")


def test_a_team_key_may_not_send_to_anyone_else() -> None:
    with pytest.raises(BadRequestError) as refused:
        validators.check_recipient_is_allowed(SERVICE, "team", "someone@example.com")

    assert refused.value.message == TEAM_KEY


def test_a_service_without_international_sms_may_not_send_abroad() -> None:
    number = validators.validated_phone_number("+1 202 555 0123")

    with pytest.raises(BadRequestError) as refused:
        validators.check_can_send_to_number(SERVICE, number)

    assert refused.value.message == "Cannot send to international mobile numbers"


def test_a_service_with_international_sms_may_send_abroad() -> None:
    service = replace(SERVICE, permissions=frozenset({"sms", "international_sms"}))

    validators.check_can_send_to_number(service, validators.validated_phone_number("+1 202 555 0123"))


def test_a_uk_number_needs_no_international_permission() -> None:
    validators.check_can_send_to_number(SERVICE, validators.validated_phone_number("07700 900123"))


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("0770090012", "Not enough digits"),
        ("077009001234", "Too many digits"),
        ("02079460000", "Not a UK mobile number"),
        ("07700 9OO123", "Must not contain letters or symbols"),
        ("+999 1234 5678", "Not a valid country prefix"),
    ],
    ids=["too-short", "too-long", "landline", "letters", "unknown-country"],
)
def test_a_bad_number_raises_invalid_phone_error_with_the_legacy_words(number: str, message: str) -> None:
    with pytest.raises(InvalidPhoneError) as refused:
        validators.validated_phone_number(number)

    assert (refused.value.status_code, refused.value.message) == (400, message)


def test_a_bad_email_address_raises_invalid_email_error() -> None:
    with pytest.raises(InvalidEmailError) as refused:
        validators.validated_email_address("not an address")

    assert refused.value.message == "Not a valid email address"


def test_an_email_address_is_stored_stripped_and_compared_lower_cased() -> None:
    assert validators.validated_email_address(" Someone@Example.COM ") == validators.ValidatedEmailAddress(
        "Someone@Example.COM", "someone@example.com"
    )
