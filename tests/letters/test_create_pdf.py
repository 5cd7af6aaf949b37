"""The letter PDF task: an A4 PDF with the address, heading and body; sheets recorded; Notify's outcomes."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time
from pypdf import PdfReader

from app.celery.letters_pdf_tasks import get_pdf_for_templated_letter
from app.dao.notifications_dao import dao_get_notification_by_id
from app.extensions import db
from app.letters.create_pdf import create_letter_pdf, letter_file_of, printed_date
from app.letters.pdf_render import LetterToPrint, render_letter_pdf
from app.models import Notification
from app.templating.letter import letter_blocks
from tests.factories import create_letter_contact, create_notification, create_service, create_template

ADDRESS = {"address_line_1": "Ann Other", "address_line_2": "1 High Street", "postcode": "sw1a1aa"}
A4_POINTS = (595.28, 841.89)


def _letter(
    *, content: str = "Hello ((address_line_1))", key_type: str = "normal", status: str = "created"
) -> Notification:
    service = create_service(permissions=["letter"])
    contact = create_letter_contact(service=service, contact_block="GDS\nLondon")
    template = create_template(
        service=service,
        template_type="letter",
        subject="Your tax",
        content=content,
        service_letter_contact_id=contact.id,
    )
    return create_notification(
        template=template,
        to="Ann Other\n1 High Street\nSW1A 1AA",
        personalisation=ADDRESS,
        reference="ABCDEFGHIJ123456",
        reply_to_text="GDS\nLondon",
        key_type=key_type,
        status=status,
        created_at=datetime(2026, 6, 5, 10, 0, tzinfo=UTC),
    )


def _pdf(directory: Path, notification: Notification) -> PdfReader:
    return PdfReader(io.BytesIO((directory / letter_file_of(notification).name).read_bytes()))


@pytest.mark.usefixtures("notify_db_session")
def test_the_pdf_is_a4_with_the_address_heading_body_and_page_numbers(letters_directory: Path) -> None:
    notification = _letter()

    create_letter_pdf(notification.id)

    reader = _pdf(letters_directory, notification)
    page = reader.pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4_POINTS
    text = page.extract_text()
    for expected in ("ANN OTHER", "1 HIGH STREET", "SW1A 1AA", "GDS", "5 June 2026", "Your tax", "Hello Ann Other"):
        assert expected in text
    assert "Page 1 of 1" in text


@pytest.mark.usefixtures("notify_db_session")
def test_a_live_letter_stays_created_with_its_sheets_ready_to_print(letters_directory: Path) -> None:
    notification = _letter(content="Page one\n\n***\n\nPage two\n\n***\n\nPage three")

    create_letter_pdf(notification.id)

    stored = dao_get_notification_by_id(notification.id)
    assert (stored.status, stored.billable_units) == ("created", 2)
    assert len(_pdf(letters_directory, notification).pages) == 3
    assert letter_file_of(notification).name == "2026-06-05/NOTIFY.ABCDEFGHIJ123456.D.2.C.20260605100000.PDF"


@pytest.mark.usefixtures("notify_db_session")
def test_a_letter_over_ten_pages_fails_validation(letters_directory: Path) -> None:
    notification = _letter(content="\n\n***\n\n".join(f"Page {number}" for number in range(11)))

    create_letter_pdf(notification.id)

    db.session.expire_all()
    assert dao_get_notification_by_id(notification.id).status == "validation-failed"


@pytest.mark.usefixtures("notify_db_session")
def test_a_body_far_too_long_for_ten_pages_fails_without_rendering(letters_directory: Path) -> None:
    notification = _letter(content="word " * 20_000)

    create_letter_pdf(notification.id)

    db.session.expire_all()
    assert dao_get_notification_by_id(notification.id).status == "validation-failed"
    assert not any(letters_directory.rglob("*.PDF"))


@pytest.mark.usefixtures("notify_db_session")
def test_a_test_key_letter_is_delivered_once_its_pdf_exists_and_never_billed(letters_directory: Path) -> None:
    notification = _letter(key_type="test", status="sending")

    get_pdf_for_templated_letter(str(notification.id))

    db.session.expire_all()
    stored = dao_get_notification_by_id(notification.id)
    assert (stored.status, stored.billable_units) == ("delivered", 0)
    assert letter_file_of(notification).name.startswith("test/")
    assert len(_pdf(letters_directory, notification).pages) == 1


@pytest.mark.usefixtures("notify_db_session")
def test_a_cancelled_letter_gets_no_pdf(letters_directory: Path) -> None:
    notification = _letter(status="cancelled")

    create_letter_pdf(notification.id)

    assert not any(letters_directory.rglob("*.PDF"))


@pytest.mark.usefixtures("notify_db_session")
def test_the_task_fails_the_letter_when_the_store_never_answers(
    letters_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.letters import pdf_store

    notification = _letter()

    def refuse(self: object, name: str, pdf: bytes) -> None:
        raise pdf_store.LetterPdfStoreError("disk full")

    monkeypatch.setattr(pdf_store.LocalLetterPdfStore, "put", refuse)
    monkeypatch.setattr(get_pdf_for_templated_letter, "max_retries", 0)
    get_pdf_for_templated_letter.push_request(retries=15)
    try:
        get_pdf_for_templated_letter.run(str(notification.id))
    finally:
        get_pdf_for_templated_letter.pop_request()

    db.session.expire_all()
    assert dao_get_notification_by_id(notification.id).status == "technical-failure"


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        (datetime(2024, 6, 4, 23, 30, tzinfo=UTC), "5 June 2024"),
        (datetime(2024, 1, 9, 9, tzinfo=UTC), "9 January 2024"),
    ],
)
def test_the_date_is_the_london_date_without_a_leading_zero(created_at: datetime, expected: str) -> None:
    assert printed_date(created_at) == expected


def test_letter_markdown_is_printed() -> None:
    letter = LetterToPrint(
        address_lines=["A", "B", "SW1A 1AA"],
        contact_block=None,
        date="1 May 2026",
        heading="Heading",
        blocks=letter_blocks("# Section\n\n* first\n1. numbered\n\nSee https://www.gov.uk <now> & then"),
    )

    rendered = render_letter_pdf(letter)

    text = PdfReader(io.BytesIO(rendered.pdf)).pages[0].extract_text()
    for expected in ("Section", "first", "1.", "numbered", "See www.gov.uk <now> & then"):
        assert expected in text
    assert "https://" not in text
    assert (rendered.page_count, rendered.sheet_count) == (1, 1)


@freeze_time("2026-06-05 17:00:00")
def test_a_letter_after_the_print_deadline_goes_in_the_next_days_folder() -> None:
    from app.letters.pdf_store import print_day_folder

    assert print_day_folder(datetime(2026, 6, 5, 16, 31, tzinfo=UTC)) == "2026-06-06"
    assert print_day_folder(datetime(2026, 6, 5, 16, 29, tzinfo=UTC)) == "2026-06-05"


def test_reportlab_markup_in_a_letter_is_printed_as_text_never_followed() -> None:
    # reportlab's Paragraph reads XML-like markup: an <img> there would read a file (or a URL) into the letter.
    hostile = '<img src="/etc/hostname" width="40" height="40"/> <font color="red" size="40">big</font>'
    letter = LetterToPrint(
        address_lines=["A", "B", "SW1A 1AA"],
        contact_block=hostile,
        date="1 May 2026",
        heading=hostile,
        blocks=letter_blocks(f"# {hostile}\n\n* {hostile}\n\n{hostile}"),
    )

    rendered = render_letter_pdf(letter)

    page = PdfReader(io.BytesIO(rendered.pdf)).pages[0]
    text = page.extract_text()
    assert text.count("<img src=") == 5  # contact block, heading, section heading, bullet, paragraph
    assert '<font color="red" size="40">big</font>' in text
    resources = page["/Resources"]
    assert "/XObject" not in resources or not any(
        resources["/XObject"][name].get_object()["/Subtype"] == "/Image" for name in resources["/XObject"]
    )
