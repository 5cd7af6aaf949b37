"""What a provider is given: rendered from the stored template version, with sender, From, reply-to and headers."""

from __future__ import annotations

import pytest

from app.dao.templates_dao import dao_update_template
from app.delivery.outgoing import (
    OutgoingEmail,
    OutgoingSms,
    build_outgoing_email,
    build_outgoing_sms,
    email_from_address,
    unsubscribe_headers,
)
from app.delivery.send_context import service_for_sending
from app.extensions import db
from app.models import Notification
from tests.factories import (
    create_email_reply_to,
    create_notification,
    create_service,
    create_sms_sender,
    create_template,
)


def _with(notification: Notification, **columns: object) -> Notification:
    for name, value in columns.items():
        setattr(notification, name, value)
    db.session.commit()
    return notification


def _sms(notification: Notification) -> OutgoingSms:
    return build_outgoing_sms(notification, service_for_sending(notification.service_id), default_sender="HERALD")


def _email(notification: Notification) -> OutgoingEmail:
    return build_outgoing_email(
        notification, service_for_sending(notification.service_id), email_domain="mail.herald.example"
    )


def test_sms_is_rendered_from_the_version_the_notification_was_created_with(notify_db_session: None) -> None:
    template = create_template(content="Version one for ((name))")
    notification = create_notification(template=template, personalisation={"name": "Jo"})
    dao_update_template(template, content="Version two for ((name))")

    sms = _sms(notification)

    assert sms.body == "Version one for Jo"


def test_sms_gets_the_service_name_prefix_when_the_service_asks_for_it(notify_db_session: None) -> None:
    service = create_service(name="Tax office", prefix_sms=True)
    notification = create_notification(template=create_template(service=service, content="Hi ((name))"))

    sms = _sms(notification)

    assert sms.body == "Tax office: Hi Jo"


def test_sms_counts_fragments_for_billing(notify_db_session: None) -> None:
    notification = create_notification(template=create_template(content="x" * 161))

    sms = _sms(notification)

    assert sms.fragment_count == 2


@pytest.mark.parametrize(
    ("stored_sender", "service_default", "expected"),
    [("NOTIFIED", "DEFAULT", "NOTIFIED"), (None, "DEFAULT", "DEFAULT"), (None, None, "HERALD")],
    ids=["the notification's own", "the service default", "the configured default"],
)
def test_sms_sender(
    notify_db_session: None, stored_sender: str | None, service_default: str | None, expected: str
) -> None:
    service = create_service()
    if service_default:
        create_sms_sender(service=service, sms_sender=service_default)
    notification = _with(create_notification(template=create_template(service=service)), reply_to_text=stored_sender)

    sms = _sms(notification)

    assert sms.sender == expected


@pytest.mark.parametrize(
    ("to", "is_international", "has_delivery_receipts", "normalised"),
    [
        ("07700 900123", False, True, "447700900123"),
        ("+33 6 12 34 56 78", True, True, "33612345678"),
        ("+1 202 555 0123", True, False, "12025550123"),
    ],
    ids=["uk", "international with receipts", "international without receipts"],
)
def test_sms_knows_where_it_is_going(
    notify_db_session: None, to: str, is_international: bool, has_delivery_receipts: bool, normalised: str
) -> None:
    notification = create_notification(to=to)

    sms = _sms(notification)

    assert (sms.to, sms.is_international, sms.has_delivery_receipts) == (
        normalised,
        is_international,
        has_delivery_receipts,
    )


def test_a_test_key_notification_is_research_mode(notify_db_session: None) -> None:
    notification = create_notification(key_type="test")

    sms = _sms(notification)

    assert sms.is_research_mode is True


def test_the_repr_leaves_out_recipient_and_content(notify_db_session: None) -> None:
    notification = create_notification(to="07700900123", personalisation={"name": "Secret"})

    text = repr(_sms(notification))

    assert ("7700900123" in text, "Secret" in text) == (False, False)


def test_email_has_subject_html_and_plain_text(notify_db_session: None) -> None:
    template = create_template(template_type="email", subject="Hello ((name))", content="Dear ((name)),\n\nThanks.")
    notification = create_notification(template=template, personalisation={"name": "Jo"})

    email = _email(notification)

    assert email.subject == "Hello Jo"
    assert "Dear Jo," in email.plain_text
    assert "Dear Jo," in email.html


@pytest.mark.parametrize(
    ("custom_name", "expected"),
    [(None, '"Tax office" <tax.office@mail.herald.example>'), ("HMRC", '"HMRC" <tax.office@mail.herald.example>')],
    ids=["service name", "custom sender name"],
)
def test_email_from_carries_the_sender_name(notify_db_session: None, custom_name: str | None, expected: str) -> None:
    service = create_service(name="Tax office", custom_email_sender_name=custom_name)
    notification = create_notification(template=create_template(service=service, template_type="email"))

    email = _email(notification)

    assert email.from_address == expected


@pytest.mark.parametrize(
    ("stored_reply_to", "service_default", "expected"),
    [
        ("own@example.com", "default@example.com", "own@example.com"),
        (None, "default@example.com", "default@example.com"),
        (None, None, None),
    ],
    ids=["the notification's own", "the service default", "none"],
)
def test_email_reply_to(
    notify_db_session: None, stored_reply_to: str | None, service_default: str | None, expected: str | None
) -> None:
    service = create_service()
    if service_default:
        create_email_reply_to(service=service, email_address=service_default)
    notification = _with(
        create_notification(template=create_template(service=service, template_type="email")),
        reply_to_text=stored_reply_to,
    )

    email = _email(notification)

    assert email.reply_to == expected


def test_email_with_an_unsubscribe_link_gets_one_click_unsubscribe_headers(notify_db_session: None) -> None:
    notification = _with(
        create_notification(template=create_template(template_type="email")),
        unsubscribe_link="https://service.example/unsubscribe/123",
    )

    email = _email(notification)

    assert email.headers == {
        "List-Unsubscribe": "<https://service.example/unsubscribe/123>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_email_without_an_unsubscribe_link_has_no_extra_headers() -> None:
    assert unsubscribe_headers(None) == {}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('Say "hi"', '"Say \\"hi\\"" <a@b.example>'),
        ("Two\nlines", '"Two lines" <a@b.example>'),
        ("Llywodraeth Cymru – Gwasanaeth", '"Llywodraeth Cymru – Gwasanaeth" <a@b.example>'),
    ],
    ids=["quotes escaped", "one line", "non-ascii left to the SES client"],
)
def test_email_from_address_is_a_safe_header(name: str, expected: str) -> None:
    from_address = email_from_address(name, "a", "b.example")

    assert from_address.startswith(expected)
