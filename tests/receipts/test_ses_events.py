"""SES events: Delivery, every kind of Bounce, Complaint and the types we do not act on."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from app.notification_status import NotificationStatus
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError
from app.receipts.ses_events import (
    MAX_DESTINATIONS_READ,
    MAX_HEADERS_READ,
    decide_ses_outcome,
    is_ses_complaint,
    recipient_digest,
    ses_event_for_queue,
)
from tests.receipts.payloads import ses_event

S = NotificationStatus
KEY = "digest-key"
NOTIFICATION_ID = "6c1f0f9e-2b7a-4d55-8f0e-3a9b1c2d4e5f"


def _bounce(bounce_type: str, sub_type: str) -> dict[str, Any]:
    return {"notificationType": "Bounce", "bounce": {"bounceType": bounce_type, "bounceSubType": sub_type}}


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"notificationType": "Delivery"}, ReceiptOutcome(S.DELIVERED)),
        ({"eventType": "Delivery"}, ReceiptOutcome(S.DELIVERED)),
        (_bounce("Permanent", "General"), ReceiptOutcome(S.PERMANENT_FAILURE, "Permanent: General")),
        (_bounce("Permanent", "Suppressed"), ReceiptOutcome(S.PERMANENT_FAILURE, "Permanent: Suppressed")),
        (_bounce("Transient", "MailboxFull"), ReceiptOutcome(S.TEMPORARY_FAILURE, "Transient: MailboxFull")),
        (_bounce("Transient", "General"), ReceiptOutcome(S.TEMPORARY_FAILURE, "Transient: General")),
        (_bounce("Undetermined", "Undetermined"), ReceiptOutcome(S.TEMPORARY_FAILURE, "Undetermined: Undetermined")),
    ],
    ids=[
        "delivery",
        "delivery-from-event-publishing",
        "permanent-bounce",
        "permanent-suppressed-bounce",
        "transient-bounce",
        "transient-general-bounce",
        "undetermined-bounce",
    ],
)
def test_ses_event_maps_to(event: dict[str, Any], expected: ReceiptOutcome) -> None:
    assert decide_ses_outcome(event) == expected


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"notificationType": "Complaint"}, True),
        ({"eventType": "Complaint"}, True),
        ({"notificationType": "Delivery"}, False),
        ({"notificationType": "Bounce"}, False),
    ],
    ids=["complaint", "complaint-from-event-publishing", "delivery", "bounce"],
)
def test_only_a_complaint_is_a_complaint(event: dict[str, Any], expected: bool) -> None:
    assert is_ses_complaint(event) is expected


@pytest.mark.parametrize(
    "event",
    [{"notificationType": "Complaint"}, {"eventType": "DeliveryDelay"}, {"eventType": "Send"}, {}],
    ids=["complaint", "delivery-delay", "send", "no-type"],
)
def test_ses_event_without_a_status_is_unrecognised(event: dict[str, Any]) -> None:
    with pytest.raises(UnrecognisedProviderStatusError):
        decide_ses_outcome(event)


@pytest.mark.parametrize("fixture", ["delivery", "bounce_permanent", "bounce_transient", "complaint"], ids=str)
def test_event_for_the_queue_carries_no_recipient(fixture: str) -> None:
    reduced = ses_event_for_queue(ses_event(fixture), digest_key=KEY)

    assert "recipient@example.com" not in json.dumps(reduced)


@pytest.mark.parametrize("fixture", ["delivery", "bounce_permanent", "bounce_transient"], ids=str)
def test_event_for_the_queue_maps_to_the_same_status(fixture: str) -> None:
    event = ses_event(fixture)

    assert decide_ses_outcome(ses_event_for_queue(event, digest_key=KEY)) == decide_ses_outcome(event)


def test_complaint_for_the_queue_keeps_what_the_complaint_row_needs() -> None:
    reduced = ses_event_for_queue(ses_event("complaint"), digest_key=KEY)

    assert (reduced["mail"]["messageId"], reduced["complaint"]) == (
        "0102019b0c7b7a2b-8c3f1a7e-5b1d-4f7e-9b1e-2a6f4c3d2e1f-000000",
        {"complaintFeedbackType": "abuse", "feedbackId": "ses_feedback_id_1", "timestamp": "2026-11-20T13:59:58.000Z"},
    )


def _with_headers(headers: Any, **mail: Any) -> dict[str, Any]:
    event = ses_event("delivery")
    event["mail"] |= {"headers": headers, **mail}
    return event


def _reduced_mail(headers: Any, **mail: Any) -> dict[str, Any]:
    reduced: dict[str, Any] = ses_event_for_queue(_with_headers(headers, **mail), digest_key=KEY)["mail"]
    return reduced


def _id_header(value: Any, name: str = "X-Herald-Notification-Id") -> dict[str, Any]:
    return {"name": name, "value": value}


def test_event_for_the_queue_keeps_the_notification_id_header_and_keyed_recipient_digests() -> None:
    reduced = ses_event_for_queue(
        _with_headers([{"name": "From", "value": "a@b.example"}, _id_header(NOTIFICATION_ID)]), digest_key=KEY
    )

    assert reduced["mail"]["heraldNotificationId"] == NOTIFICATION_ID
    assert reduced["mail"]["destinationDigests"] == [recipient_digest("recipient@example.com", KEY)]
    assert "recipient@example.com" not in json.dumps(reduced)
    assert recipient_digest("Recipient@Example.com ", KEY) == recipient_digest("recipient@example.com", KEY)
    assert recipient_digest("recipient@example.com", "another-key") != recipient_digest("recipient@example.com", KEY)


def test_the_header_name_is_matched_whatever_its_case() -> None:
    assert _reduced_mail([_id_header(NOTIFICATION_ID, name="x-herald-notification-id")])["heraldNotificationId"] == (
        NOTIFICATION_ID
    )


def test_the_same_header_repeated_with_the_same_value_is_kept() -> None:
    assert _reduced_mail([_id_header(NOTIFICATION_ID), _id_header(NOTIFICATION_ID)])["heraldNotificationId"] == (
        NOTIFICATION_ID
    )


@pytest.mark.parametrize(
    "headers",
    [
        None,
        "X-Herald-Notification-Id: " + NOTIFICATION_ID,
        [],
        [{"name": "From", "value": "a@b.example"}],
        [_id_header(NOTIFICATION_ID.upper())],
        [_id_header("{" + NOTIFICATION_ID + "}")],
        [_id_header(NOTIFICATION_ID + "\n")],
        [_id_header(" " + NOTIFICATION_ID)],
        [_id_header("urn:uuid:" + NOTIFICATION_ID)],
        [_id_header(NOTIFICATION_ID.replace("-", ""))],
        [_id_header(NOTIFICATION_ID[:-1] + "g")],
        [_id_header([NOTIFICATION_ID])],
        [_id_header(None)],
        [_id_header(NOTIFICATION_ID, name="X-Herald-Notification-Id ")],
        [_id_header(NOTIFICATION_ID, name="X-Herald-Notification")],
        [_id_header(NOTIFICATION_ID), _id_header(str(uuid.uuid4()))],
        [_id_header(NOTIFICATION_ID), _id_header("not-an-id")],
        [NOTIFICATION_ID, ["X-Herald-Notification-Id", NOTIFICATION_ID]],
        [{"name": "X"}] * MAX_HEADERS_READ + [_id_header(NOTIFICATION_ID)],
    ],
    ids=[
        "no-headers",
        "headers-not-a-list",
        "empty",
        "header-absent",
        "upper-case",
        "braces",
        "trailing-newline",
        "leading-space",
        "urn",
        "no-hyphens",
        "not-hex",
        "value-not-a-string",
        "value-null",
        "name-with-space",
        "other-name",
        "two-different-ids",
        "one-malformed-copy",
        "entries-not-objects",
        "beyond-the-headers-read",
    ],
)
def test_an_absent_malformed_or_ambiguous_notification_id_header_is_not_kept(headers: Any) -> None:
    reduced_mail = _reduced_mail(headers)

    assert "heraldNotificationId" not in reduced_mail
    assert "destinationDigests" not in reduced_mail


def test_only_a_bounded_number_of_well_formed_destinations_is_digested() -> None:
    destination = ["x" * 400 + "@example.com", 42] + [f"r{n}@example.com" for n in range(2 * MAX_DESTINATIONS_READ)]

    digests = _reduced_mail([_id_header(NOTIFICATION_ID)], destination=destination)["destinationDigests"]

    assert digests == [recipient_digest(f"r{n}@example.com", KEY) for n in range(MAX_DESTINATIONS_READ - 2)]


def test_a_destination_that_is_not_a_list_gives_no_digests() -> None:
    assert _reduced_mail([_id_header(NOTIFICATION_ID)], destination="recipient@example.com")["destinationDigests"] == []
