"""The receipts each provider sends back: MMG JSON, Firetext forms, and SES events wrapped in signed SNS
notifications, shaped like the real ones (notify-reference §4.1–4.3)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import rsa

from app.simulator.receipt_dispatcher import ReceiptBody
from app.simulator.recipients import Outcome
from app.simulator.sns_signing import sign_sns_message

# MMG and Firetext write their times in UK local time, without an offset.
UK_TIME = ZoneInfo("Europe/London")
PROVIDER_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

MMG_STATUS_BY_OUTCOME = {
    Outcome.DELIVERED: ("3", "5"),  # delivered to handset
    Outcome.TEMPORARY_FAILURE: ("4", "15"),  # expired
    Outcome.PERMANENT_FAILURE: ("5", "52"),  # invalid destination
}
# Firetext reports a temporary failure as pending with the network first, then declined: absent subscriber.
FIRETEXT_STEPS_BY_OUTCOME: dict[Outcome, tuple[tuple[str, str | None], ...]] = {
    Outcome.DELIVERED: (("0", "000"),),
    Outcome.TEMPORARY_FAILURE: (("2", None), ("1", "102")),
    Outcome.PERMANENT_FAILURE: (("1", "101"),),
}
SNS_HEADERS = {"Content-Type": "text/plain; charset=UTF-8", "User-Agent": "Amazon Simple Notification Service Agent"}


def _uk_time_now() -> str:
    return datetime.now(UK_TIME).strftime(PROVIDER_TIME_FORMAT)


def _aws_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def mmg_receipt(*, mmg_reference: str, cid: str, msisdn: str, outcome: Outcome) -> ReceiptBody:
    status, substatus = MMG_STATUS_BY_OUTCOME[outcome]
    receipt = {
        "reference": mmg_reference,
        "CID": cid,
        "MSISDN": msisdn,
        "status": status,
        "substatus": substatus,
        "deliverytime": _uk_time_now(),
    }
    return ReceiptBody(json.dumps(receipt).encode(), {"Content-Type": "application/json"})


def firetext_receipt_steps(outcome: Outcome) -> tuple[tuple[str, str | None], ...]:
    """The (status, code) of each receipt Firetext sends for this outcome, in order."""
    return FIRETEXT_STEPS_BY_OUTCOME[outcome]


def firetext_receipt(*, reference: str, mobile: str, status: str, code: str | None) -> ReceiptBody:
    form = {"mobile": mobile, "status": status, "time": _uk_time_now(), "reference": reference}
    if code is not None:
        form["code"] = code
    return ReceiptBody(urlencode(form).encode(), {"Content-Type": "application/x-www-form-urlencoded"})


@dataclass(frozen=True)
class SentEmail:
    """What the SES events about one sent email repeat back."""

    message_id: str
    source: str
    destination: Sequence[str]
    subject: str | None
    sent_at: datetime
    headers: Sequence[tuple[str, str]]  # the custom headers it was sent with, (name, value), in order


def ses_event(email: SentEmail, outcome: Outcome, recipients: Sequence[str]) -> dict[str, Any]:
    """The SES Delivery or Bounce event for ``recipients`` of ``email``, as SES publishes it to SNS."""
    now = datetime.now(UTC)
    event: dict[str, Any] = {"notificationType": "Delivery" if outcome is Outcome.DELIVERED else "Bounce"}
    event["mail"] = _ses_mail(email)
    if outcome is Outcome.DELIVERED:
        event["delivery"] = {
            "timestamp": _aws_time(now),
            "processingTimeMillis": int((now - email.sent_at).total_seconds() * 1000),
            "recipients": list(recipients),
            "smtpResponse": "250 2.6.0 Message received",
            "remoteMtaIp": "192.0.2.25",
            "reportingMTA": "simulator.herald.invalid",
        }
    else:
        event["bounce"] = _ses_bounce(outcome, recipients, now)
    return event


def _ses_mail(email: SentEmail) -> dict[str, Any]:
    to = ", ".join(email.destination)
    headers = [{"name": "From", "value": email.source}, {"name": "To", "value": to}]
    common_headers: dict[str, Any] = {"from": [email.source], "to": list(email.destination)}
    if email.subject is not None:
        headers.append({"name": "Subject", "value": email.subject})
        common_headers["subject"] = email.subject
    headers.extend({"name": name, "value": value} for name, value in email.headers)
    return {
        "timestamp": _aws_time(email.sent_at),
        "messageId": email.message_id,
        "source": email.source,
        "sourceArn": "arn:aws:ses:eu-west-2:000000000000:identity/simulator.herald.invalid",
        "sendingAccountId": "000000000000",
        "destination": list(email.destination),
        "headersTruncated": False,
        "headers": headers,
        "commonHeaders": common_headers,
    }


def _ses_bounce(outcome: Outcome, recipients: Sequence[str], now: datetime) -> dict[str, Any]:
    is_permanent = outcome is Outcome.PERMANENT_FAILURE
    status, diagnostic = (
        ("5.1.1", "smtp; 550 5.1.1 user unknown") if is_permanent else ("4.2.2", "smtp; 452 4.2.2 mailbox full")
    )
    return {
        "bounceType": "Permanent" if is_permanent else "Transient",
        "bounceSubType": "General" if is_permanent else "MailboxFull",
        "bouncedRecipients": [
            {"emailAddress": recipient, "action": "failed", "status": status, "diagnosticCode": diagnostic}
            for recipient in recipients
        ],
        "feedbackId": f"{uuid.uuid4()}-000000",
        "timestamp": _aws_time(now),
        "reportingMTA": "dsn; simulator.herald.invalid",
    }


@dataclass(frozen=True)
class SnsTopic:
    """Where the simulated SNS notifications come from and how they are signed."""

    topic_arn: str
    signing_cert_url: str
    unsubscribe_url: str
    private_key: rsa.RSAPrivateKey
    signature_version: str


def sns_notification(topic: SnsTopic, event: Mapping[str, Any]) -> ReceiptBody:
    """An SNS HTTP ``Notification`` carrying ``event`` as its JSON ``Message``, signed, with SNS's headers."""
    message_id = str(uuid.uuid4())
    notification = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic.topic_arn,
        "Message": json.dumps(event),
        "Timestamp": _aws_time(datetime.now(UTC)),
        "SigningCertURL": topic.signing_cert_url,
        "UnsubscribeURL": topic.unsubscribe_url,
    }
    signed = sign_sns_message(notification, topic.private_key, signature_version=topic.signature_version)
    headers = {
        **SNS_HEADERS,
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": topic.topic_arn,
    }
    return ReceiptBody(json.dumps(signed).encode(), headers)
