"""SES events: Delivery, every kind of Bounce, Complaint and the types we do not act on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.notification_status import NotificationStatus
from app.receipts.outcomes import ReceiptOutcome, UnrecognisedProviderStatusError
from app.receipts.ses_events import decide_ses_outcome, is_ses_complaint, ses_event_for_queue
from tests.receipts.payloads import ses_event

S = NotificationStatus


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
    reduced = ses_event_for_queue(ses_event(fixture))

    assert "recipient@example.com" not in json.dumps(reduced)


@pytest.mark.parametrize("fixture", ["delivery", "bounce_permanent", "bounce_transient"], ids=str)
def test_event_for_the_queue_maps_to_the_same_status(fixture: str) -> None:
    event = ses_event(fixture)

    assert decide_ses_outcome(ses_event_for_queue(event)) == decide_ses_outcome(event)


def test_complaint_for_the_queue_keeps_what_the_complaint_row_needs() -> None:
    reduced = ses_event_for_queue(ses_event("complaint"))

    assert (reduced["mail"]["messageId"], reduced["complaint"]) == (
        "0102019b0c7b7a2b-8c3f1a7e-5b1d-4f7e-9b1e-2a6f4c3d2e1f-000000",
        {"complaintFeedbackType": "abuse", "feedbackId": "ses_feedback_id_1", "timestamp": "2026-11-20T13:59:58.000Z"},
    )
