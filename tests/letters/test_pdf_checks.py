"""The precompiled-PDF checks: Notify's sanitiser codes in its order, the address read from the window, and hostile
files refused quickly and within bounds."""

from __future__ import annotations

import io
import struct
import time
import zlib
from collections.abc import Callable

import pytest
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.letters import bounded_check
from app.letters.bounded_check import check_precompiled_pdf_bounded
from app.letters.pdf_checks import MAX_PDF_BYTES, PdfCheck, check_precompiled_pdf
from tests.letters.pdf_samples import (
    deeply_nested_pdf,
    encrypted_pdf,
    flate_bomb_pdf,
    huge_page_count_pdf,
    letter_pdf,
)

A4_HEIGHT = 297 * mm


def _check(pdf: bytes, *, international: bool = False) -> PdfCheck:
    return check_precompiled_pdf(pdf, can_send_international=international)


def test_a_letter_as_the_specification_asks_passes_with_its_address_and_sheets() -> None:
    check = _check(letter_pdf(pages=3))

    assert (check.passed, check.page_count, check.sheet_count) == (True, 3, 2)
    assert check.address is not None
    assert check.address.normalised_lines == ("Ann Other", "1 High Street", "SW1A 1AA")


def test_the_address_lines_are_read_top_to_bottom() -> None:
    check = _check(letter_pdf(address=("Jane Doe", "Flat 2", "10 Road", "Leeds", "LS1 4AP")))

    assert check.address is not None
    assert check.address.normalised_lines == ("Jane Doe", "Flat 2", "10 Road", "Leeds", "LS1 4AP")


@pytest.mark.parametrize(
    ("pdf", "expected"),
    [
        (b"this is not a pdf", ("unable-to-read-the-file", ())),
        (b"", ("unable-to-read-the-file", ())),
        (letter_pdf()[:400], ("unable-to-read-the-file", ())),
        (letter_pdf(pages=11), ("letter-too-long", ())),
        (letter_pdf(page_size=(210 * mm, 280 * mm)), ("letter-not-a4-portrait-oriented", (1,))),
        (letter_pdf(page_size=(297 * mm, 210 * mm)), ("letter-not-a4-portrait-oriented", (1,))),
        (letter_pdf(address=()), ("address-is-empty", (1,))),
        (letter_pdf(address=("Ann Other", "SW1A 1AA")), ("not-enough-address-lines", (1,))),
        (letter_pdf(address=("Ann Other", "1 High Street", "Nowhere")), ("not-a-real-uk-postcode", (1,))),
        (letter_pdf(address=("Ann Other", "NFA", "SW1A 1AA")), ("no-fixed-abode-address", (1,))),
        (letter_pdf(address=("Ann Other", "(1 High Street", "SW1A 1AA")), ("invalid-char-in-address", (1,))),
        (letter_pdf(address=("Ann Other", "1 Rue", "Paris", "France")), ("cant-send-international-letters", (1,))),
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else None,
)
def test_each_refusal_has_notifys_code_and_pages(pdf: bytes, expected: tuple[str, tuple[int, ...]]) -> None:
    check = _check(pdf)

    assert (check.message, check.invalid_pages) == expected


def test_a_landscape_letter_turned_by_its_rotation_is_checked_as_printed() -> None:
    check = _check(letter_pdf(turned=True, pages=2))

    assert (check.message, check.page_count) == (None, 2)
    assert check.address is not None
    assert check.address.normalised_lines == ("Ann Other", "1 High Street", "SW1A 1AA")
    turned_with_margin_note = letter_pdf(turned=True, draw=_draws(lambda c: c.drawString(3 * mm, 150 * mm, "x")))
    assert _check(turned_with_margin_note).message == "content-outside-printable-area"


def test_an_international_address_passes_with_the_permission_and_sets_the_postage_zone() -> None:
    check = _check(letter_pdf(address=("Ann Other", "1 Rue de Rivoli", "75001 Paris", "France")), international=True)

    assert check.passed
    assert check.address is not None
    assert (check.address.postage_zone, check.address.normalised_lines[-1]) == ("europe", "France")


def _draws(draw: Callable[[Canvas], None], *, on_page: int = 0) -> Callable[[Canvas, int], None]:
    def drawing(canvas: Canvas, page: int) -> None:
        if page == on_page:
            draw(canvas)

    return drawing


@pytest.mark.parametrize(
    ("drawing", "pages", "invalid_pages"),
    [
        # text in the left margin
        (_draws(lambda c: c.drawString(3 * mm, 150 * mm, "Margin note")), 1, (1,)),
        # text running past the right margin (its start is inside)
        (_draws(lambda c: c.drawString(160 * mm, 150 * mm, "A line of text that is far too long")), 1, (1,)),
        # a line in the bottom margin of page 2
        (_draws(lambda c: c.line(20 * mm, 2 * mm, 100 * mm, 2 * mm), on_page=1), 2, (2,)),
        # a filled box between the logo and the address window on page 1 (the band 30-95 mm)
        (_draws(lambda c: c.rect(130 * mm, A4_HEIGHT - 90 * mm, 5 * mm, 5 * mm, fill=1)), 1, ()),
        (_draws(lambda c: c.rect(16 * mm, A4_HEIGHT - 80 * mm, 5 * mm, 5 * mm, fill=1)), 1, (1,)),
        # text placed with a transformation into the top margin
        (_draws(lambda c: (c.translate(50 * mm, A4_HEIGHT - 2 * mm), c.drawString(0, 0, "x"))), 1, (1,)),
    ],
    ids=["left-margin", "past-right", "bottom-line-page-2", "contact-column-ok", "band-on-page-1", "transformed"],
)
def test_content_outside_the_printable_area_is_refused_with_its_pages(
    drawing: Callable[[Canvas, int], None], pages: int, invalid_pages: tuple[int, ...]
) -> None:
    check = _check(letter_pdf(pages=pages, draw=drawing))

    if invalid_pages:
        assert (check.message, check.invalid_pages) == ("content-outside-printable-area", invalid_pages)
    else:
        assert check.passed


def test_white_content_in_the_margins_is_invisible_and_passes() -> None:
    def white_margin_text(canvas: Canvas) -> None:
        canvas.setFillColorRGB(1, 1, 1)
        canvas.drawString(2 * mm, 150 * mm, "invisible")

    assert _check(letter_pdf(draw=_draws(white_margin_text))).passed


def test_an_image_in_the_margin_is_refused() -> None:
    pixel = ImageReader(_one_pixel_png())
    check = _check(letter_pdf(draw=_draws(lambda c: c.drawImage(pixel, 1 * mm, 100 * mm, 10 * mm, 10 * mm))))

    assert (check.message, check.invalid_pages) == ("content-outside-printable-area", (1,))


def _one_pixel_png() -> io.BytesIO:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    return io.BytesIO(png)


def test_a_notify_tag_on_a_later_page_is_refused() -> None:
    def tag(canvas: Canvas) -> None:
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont("Helvetica", 6)
        canvas.drawString(1.8 * mm, A4_HEIGHT - 3.6 * mm, "NOTIFY")

    check = _check(letter_pdf(pages=3, draw=_draws(tag, on_page=2)))

    assert (check.message, check.invalid_pages) == ("notify-tag-found-in-content", (3,))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (encrypted_pdf, "unable-to-read-the-file"),
        (huge_page_count_pdf, "letter-too-long"),
        (deeply_nested_pdf, "unable-to-read-the-file"),
        (flate_bomb_pdf, "unable-to-read-the-file"),
    ],
    ids=["encrypted", "ten-million-pages", "deeply-nested", "flate-bomb"],
)
def test_hostile_files_are_refused_quickly(make: Callable[[], bytes], expected: str) -> None:
    pdf = make()
    started = time.monotonic()

    check = _check(pdf)

    assert (check.message, time.monotonic() - started < 5) == (expected, True)


def test_a_file_over_the_size_limit_is_not_parsed() -> None:
    assert _check(b"%PDF-1.7\n" + b" " * MAX_PDF_BYTES).message == "unable-to-read-the-file"


def test_the_bounded_check_answers_as_the_check_does() -> None:
    check = check_precompiled_pdf_bounded(
        letter_pdf(pages=2), can_send_international=False, timeout_seconds=20, memory_bytes=1024**3
    )

    assert (check.passed, check.page_count) == (True, 2)
    assert check.address is not None
    assert check.address.normalised_lines == ("Ann Other", "1 High Street", "SW1A 1AA")


def test_the_bounded_check_kills_a_check_that_runs_too_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_check, "check_precompiled_pdf", lambda pdf, **_: time.sleep(60))
    started = time.monotonic()

    check = check_precompiled_pdf_bounded(
        b"%PDF", can_send_international=False, timeout_seconds=1, memory_bytes=1024**3
    )

    assert (check.message, time.monotonic() - started < 5) == ("unable-to-read-the-file", True)


def test_the_bounded_check_stops_a_check_that_needs_too_much_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_check, "check_precompiled_pdf", lambda pdf, **_: bytearray(512 * 1024 * 1024))

    check = check_precompiled_pdf_bounded(
        b"%PDF", can_send_international=False, timeout_seconds=20, memory_bytes=256 * 1024 * 1024
    )

    assert check.message == "unable-to-read-the-file"
