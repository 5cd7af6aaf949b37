"""The message log (bounded, found by either reference) and the counters."""

from __future__ import annotations

from app.simulator.records import AcceptedMessage, MessageLog, Statistics


def _message(reference: str, client_reference: str | None = None, provider: str = "mmg") -> AcceptedMessage:
    return AcceptedMessage(
        provider=provider,
        reference=reference,
        client_reference=client_reference,
        to=["447700900123"],
        sender="HERALD",
        subject=None,
        content="hello",
        outcome="delivered",
        received_at="2026-11-20T12:00:00.000+00:00",
    )


def test_message_is_found_by_its_reference_or_its_client_reference() -> None:
    log = MessageLog(capacity=10)
    message = _message("1001", "notification-1")
    log.add(message)

    assert (log.find(reference="1001"), log.find(reference="notification-1")) == ([message], [message])


def test_oldest_message_is_forgotten_once_the_log_is_full() -> None:
    log = MessageLog(capacity=2)
    for reference in ("1", "2", "3"):
        log.add(_message(reference, f"n-{reference}"))

    assert ([message.reference for message in log.find()], log.find(reference="n-1")) == (["2", "3"], [])


def test_filters_combine() -> None:
    log = MessageLog(capacity=10)
    log.add(_message("same", provider="mmg"))
    log.add(_message("same", provider="firetext"))

    assert [message.provider for message in log.find(provider="firetext", reference="same")] == ["firetext"]


def test_counters_are_grouped_by_provider() -> None:
    statistics = Statistics()
    statistics.count("mmg", "requests", "accepted")
    statistics.count("mmg", "requests", "accepted")
    statistics.count("sms-elsewhere", "receipts", "sent")

    document = statistics.as_dict(["mmg", "ses"])

    assert document == {
        "mmg": {"requests": {"accepted": 2}, "outcomes": {}, "receipts": {}},
        "ses": {"requests": {}, "outcomes": {}, "receipts": {}},
        "sms-elsewhere": {"requests": {}, "outcomes": {}, "receipts": {"sent": 1}},
    }


def test_reset_keeps_receipts_still_in_flight() -> None:
    statistics = Statistics()
    statistics.count("mmg", "receipts", "pending", 2)
    statistics.count("mmg", "receipts", "sent")

    statistics.reset()

    assert statistics.as_dict(["mmg"])["mmg"]["receipts"] == {"pending": 2}
