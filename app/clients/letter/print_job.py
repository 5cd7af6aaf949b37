"""The body of one DVLA-style print request (letters.md §5.4): the letter's address, postage and PDF, and where the
provider sends its despatch confirmation."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any

from app.letters.postal_address import PostalAddress, formatted_uk_postcode
from app.models import LetterPostage

MAX_LINE_LENGTH = 45
MAX_POSTCODE_LENGTH = 10
MAX_COUNTRY_LENGTH = 256
MAX_RECIPIENT_NAME_LENGTH = 255
# Second class is DVLA's default and is sent with no despatch method.
DESPATCH_METHODS = {
    LetterPostage.FIRST: "FIRST",
    LetterPostage.ECONOMY: "ECONOMY",
    LetterPostage.EUROPE: "INTERNATIONAL_EU",
    LetterPostage.REST_OF_WORLD: "INTERNATIONAL_ROW",
}
# How long the provider keeps retrying its despatch confirmation when Herald cannot take it.
CALLBACK_RETRY_WINDOW_SECONDS = 10800


@dataclass(frozen=True)
class LetterPrintJob:
    """One letter for the printer: ``reference`` is its 16-character business identifier."""

    notification_id: uuid.UUID
    reference: str
    address: PostalAddress
    postage: str
    pdf: bytes
    service_id: uuid.UUID
    callback_url: str


def print_job_body(job: LetterPrintJob) -> dict[str, Any]:
    lines = job.address.normalised_lines
    standard: dict[str, Any] = {
        "jobType": "NOTIFY",
        "templateReference": "NOTIFY",
        "businessIdentifier": job.reference,
        "recipientName": lines[0][:MAX_RECIPIENT_NAME_LENGTH],
        "address": _address(job.address),
    }
    despatch_method = DESPATCH_METHODS.get(LetterPostage(job.postage))
    if despatch_method is not None:
        standard["despatchMethod"] = despatch_method
    return {
        "id": str(job.notification_id),
        "standardParams": standard,
        "customParams": [
            {"key": "pdfContent", "value": base64.b64encode(job.pdf).decode("ascii")},
            {"key": "serviceIdentifier", "value": str(job.service_id)},
        ],
        "callbackParams": {
            "target": job.callback_url,
            "retryParams": {"enabled": True, "maxRetryWindow": CALLBACK_RETRY_WINDOW_SECONDS},
        },
    }


def _numbered_lines(lines: tuple[str, ...] | list[str]) -> dict[str, str]:
    return {f"line{number}": line[:MAX_LINE_LENGTH] for number, line in enumerate(lines, start=1)}


def _address(address: PostalAddress) -> dict[str, Any]:
    """UK and international addresses leave out the recipient (sent as `recipientName`); a BFPO address keeps it."""
    lines = address.normalised_lines
    if address.bfpo_number is not None:
        others = list(lines[:-1])  # the last line is `BFPO <n>`
        bfpo: dict[str, Any] = {"bfpoNumber": address.bfpo_number}
        postcode = others.pop() if len(others) > 1 and formatted_uk_postcode(others[-1]) is not None else None
        bfpo.update(_numbered_lines(others[:4]))
        if postcode is not None:
            bfpo["postcode"] = postcode[:MAX_POSTCODE_LENGTH]
        return {"bfpoAddress": bfpo}
    if address.country is not None:
        international = _numbered_lines(list(lines[1:-1])[:5])
        international["country"] = lines[-1][:MAX_COUNTRY_LENGTH]
        return {"internationalAddress": international}
    unstructured = _numbered_lines(list(lines[1:-1])[:5])
    unstructured["postcode"] = lines[-1][:MAX_POSTCODE_LENGTH]
    return {"unstructuredAddress": unstructured}
