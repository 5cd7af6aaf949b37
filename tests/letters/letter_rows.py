"""A letter ready to print: stored as the API stores it, its PDF made (sheets recorded, file in the store)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.letters.create_pdf import letter_file_of
from app.letters.pdf_store import letter_pdf_store
from app.models import Notification
from tests.factories import create_notification, create_service, create_template

ADDRESS = {"address_line_1": "Ann Other", "address_line_2": "1 High Street", "postcode": "sw1a1aa"}
PDF = b"%PDF-1.7 a letter"


def create_letter(
    *,
    created_at: datetime | None = None,
    status: str = "created",
    key_type: str = "normal",
    billable_units: int = 1,
    with_pdf: bool = True,
    reference: str = "ABCDEFGHIJ123456",
) -> Notification:
    service = create_service(permissions=["letter"])
    template = create_template(service=service, template_type="letter", content="Hello ((address_line_1))")
    notification = create_notification(
        template=template,
        to="Ann Other\n1 High Street\nSW1A 1AA",
        personalisation=ADDRESS,
        reference=reference,
        key_type=key_type,
        status=status,
        billable_units=billable_units,
        created_at=created_at,
    )
    if with_pdf:
        letter_pdf_store(current_app.config).put(letter_file_of(notification).name, PDF)
    return notification
