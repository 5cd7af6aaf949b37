"""Provider receipts built from the payload fixtures in tests/fixtures, pointed at a notification of the test's own."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def mmg_receipt(name: str, **overrides: Any) -> dict[str, Any]:
    """An MMG receipt from ``mmg_receipt_<name>.json``; pass CID=<notification id> and any field to change."""
    return {**json.loads((FIXTURES / f"mmg_receipt_{name}.json").read_text()), **overrides}


def firetext_receipt(name: str, **overrides: Any) -> dict[str, str]:
    """A Firetext receipt from ``firetext_receipt_<name>.form``, as form fields."""
    fields = dict(parse_qsl((FIXTURES / f"firetext_receipt_{name}.form").read_text().strip()))
    return {**fields, **overrides}


def sns_envelope(name: str, *, accepted_at: datetime | None = None) -> dict[str, Any]:
    """The SNS HTTP message in ``sns_<name>.json`` (unsigned: tests sign it themselves); a SES event in it gets
    ``accepted_at`` as its mail.timestamp when given (the fixtures' are from the past)."""
    envelope = json.loads((FIXTURES / f"sns_{name}.json").read_text())
    if accepted_at is not None and name.startswith("ses_"):
        event = json.loads(envelope["Message"])
        event["mail"]["timestamp"] = ses_timestamp(accepted_at)
        envelope["Message"] = json.dumps(event)
    return envelope


def ses_event(name: str, *, message_id: str | None = None, accepted_at: datetime | None = None) -> dict[str, Any]:
    """The SES event carried by ``sns_ses_<name>.json``, with mail.messageId and mail.timestamp replaced when given."""
    event = json.loads(sns_envelope(f"ses_{name}", accepted_at=accepted_at)["Message"])
    if message_id is not None:
        event["mail"]["messageId"] = message_id
    return event


def ses_timestamp(moment: datetime) -> str:
    """``moment`` as SES writes times: 2026-11-20T12:14:01.643Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
